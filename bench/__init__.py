"""`make bench`: load on the REST channel at 1, 10 and 50 concurrent conversations,
against this assistant's production profile and a stock-configuration Rasa trained on
the same data. docs/performance.md records the results and the decisions."""
