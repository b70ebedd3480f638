"""After DIET: re-decide the investment-form and staff intents from what is asked.

The rules are kb/intents.py (plain, tested); this component only applies them to the
message's intent and ranking, before the ResponseSelector (which runs for `faq` only) and
the FallbackClassifier see it."""

from __future__ import annotations

from typing import Any, Dict, List

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, INTENT_NAME_KEY, INTENT_RANKING_KEY, PREDICTED_CONFIDENCE_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from kb.intents import adjust


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class IntentGuard(GraphComponent):
    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "IntentGuard":
        return cls()

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            intent = message.get(INTENT) or {}
            text = message.get(TEXT)
            if not isinstance(text, str) or not intent.get(INTENT_NAME_KEY):
                continue
            ranking = [
                (item[INTENT_NAME_KEY], float(item[PREDICTED_CONFIDENCE_KEY]))
                for item in message.get(INTENT_RANKING_KEY) or []
                if item.get(INTENT_NAME_KEY)
            ]
            chosen = adjust(
                text, ranking or [(intent[INTENT_NAME_KEY], float(intent.get(PREDICTED_CONFIDENCE_KEY) or 0))]
            )
            if chosen is None:
                continue
            name, confidence = chosen
            message.set(INTENT, {INTENT_NAME_KEY: name, PREDICTED_CONFIDENCE_KEY: confidence}, add_to_output=True)
            # The others are scaled below the chosen one, so the FallbackClassifier's
            # ambiguity check (top two within 0.05) does not undo the decision.
            reordered = [{INTENT_NAME_KEY: name, PREDICTED_CONFIDENCE_KEY: confidence}] + [
                {INTENT_NAME_KEY: n, PREDICTED_CONFIDENCE_KEY: min(c, confidence) * 0.5}
                for n, c in ranking
                if n != name
            ]
            message.set(INTENT_RANKING_KEY, reordered, add_to_output=True)
        return messages
