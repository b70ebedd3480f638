"""The zone's knowledge base: loading, validation, text normalisation, search and
rendering. Plain functions with no Rasa imports, shared by the action server, the
custom NLU components and the build scripts."""
