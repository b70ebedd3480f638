"""First step of the NLU pipeline: fold what investors type into clean simplified text.

Traditional to simplified (OpenCC), full-width to half-width, emoji and pasted HTML tags
removed, punctuation runs collapsed, very long pastes cut. The text the model sees
changes; the investor's original stays on the conversation's user event, and the
actions use it to answer in the investor's script."""
from __future__ import annotations

from typing import Any, Dict, List

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.constants import INTENT_MESSAGE_PREFIX
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from kb.text import normalise


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=False
)
class ChineseTextNormalizer(GraphComponent):
    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "ChineseTextNormalizer":
        return cls()

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = message.get(TEXT)
            # "/intent{...}" payloads from buttons are parsed later by Rasa itself.
            if not isinstance(text, str) or text.startswith(INTENT_MESSAGE_PREFIX):
                continue
            normalised = normalise(text)
            message.set(TEXT, normalised.text)
            message.set("text_truncated", normalised.truncated, add_to_output=True)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        # Training phrasings are written clean and simplified (make validate checks),
        # and rewriting them would shift the offsets of annotated entities.
        return training_data
