"""WeChat Official Account (公众号) input channel for Rasa."""
