"""Custom Rasa NLU components: text normalisation and the zone-aware jieba tokenizer."""
