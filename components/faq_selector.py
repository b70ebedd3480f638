"""Rasa's ResponseSelector, run only for messages whose intent is its retrieval intent.

Why: the selector picks which FAQ answer fits, and that choice is read only when the
intent is `faq` (the `utter_faq` rule; actions/nlg.py). Rasa runs it on every message
anyway: a second TensorFlow model, about 14 % of a Rasa process's time under `make bench`
(py-spy, docs/performance.md). Skipping it for the other intents changes no answer and no
held-out figure, because scripts/evaluate_nlu.py also reads the selection only for `faq`.

Training, the model and the output for `faq` messages are exactly the ResponseSelector's.
Other messages carry `response_selector: {"all_retrieval_intents": [...]}` with no
selection, which Rasa's retrieval action already treats as "nothing selected".
"""

from __future__ import annotations

from typing import List

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.constants import RESPONSE_SELECTOR_PROPERTY_NAME, RESPONSE_SELECTOR_RETRIEVAL_INTENTS
from rasa.nlu.selectors.response_selector import ResponseSelector
from rasa.shared.nlu.constants import INTENT, INTENT_NAME_KEY
from rasa.shared.nlu.training_data.message import Message


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class RetrievalIntentResponseSelector(ResponseSelector):
    def wants(self, message: Message) -> bool:
        if not self.retrieval_intent:
            return True  # one selector for all retrieval intents: Rasa's behaviour
        return (message.get(INTENT) or {}).get(INTENT_NAME_KEY) == self.retrieval_intent

    def process(self, messages: List[Message]) -> List[Message]:
        wanted = [message for message in messages if self.wants(message)]
        if wanted:
            super().process(wanted)
        for message in messages:
            if message.get(RESPONSE_SELECTOR_PROPERTY_NAME) is None:
                message.set(
                    RESPONSE_SELECTOR_PROPERTY_NAME,
                    {RESPONSE_SELECTOR_RETRIEVAL_INTENTS: self.all_retrieval_intents},
                    add_to_output=True,
                )
        return messages
