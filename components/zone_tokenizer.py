"""jieba with the zone's dictionary, reading synonym words as their canonical form.

固投 and 固定资产投资, 九华 and 湘潭经开区 are one word to the model, so it needs far
fewer examples to learn them. The mapping is applied per jieba token, never by substring
replacement (so 产业园区 is not rewritten), and only the token's text changes, not its
position: entity offsets stay correct. The synonyms are saved inside the trained model,
so a model always behaves as it did when it was tested. Both the dictionary and
synonyms.json are generated into `dictionary_path` from knowledge/ by `make data`."""

from __future__ import annotations

import glob
import json
import logging
from pathlib import Path
from typing import Any, Dict, List, Optional, Text

from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.tokenizers.jieba_tokenizer import JiebaTokenizer
from rasa.nlu.tokenizers.tokenizer import Token
from rasa.shared.nlu.training_data.message import Message

logger = logging.getLogger(__name__)

SYNONYMS_FILE = "synonyms.json"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=True)
class ZoneJiebaTokenizer(JiebaTokenizer):
    def __init__(
        self,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        synonyms: Optional[Dict[str, str]] = None,
    ) -> None:
        super().__init__(config, model_storage, resource)
        self.synonyms = synonyms or {}

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "ZoneJiebaTokenizer":
        synonyms: Dict[str, str] = {}
        if config["dictionary_path"] is not None:
            cls._load_custom_dictionary(config["dictionary_path"])
            synonyms = cls._read_synonyms(Path(config["dictionary_path"]))
        return cls(config, model_storage, resource, synonyms)

    @staticmethod
    def _read_synonyms(directory: Path) -> Dict[str, str]:
        path = directory / SYNONYMS_FILE
        if not path.exists():
            return {}
        return json.loads(path.read_text(encoding="utf-8"))["synonyms"]

    @staticmethod
    def _load_custom_dictionary(path: Text) -> None:
        import jieba

        # Only *.txt: the model's resource folder also holds synonyms.json.
        for userdict in sorted(glob.glob(f"{path}/*.txt")):
            jieba.load_userdict(userdict)

    @classmethod
    def load(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> "ZoneJiebaTokenizer":
        synonyms: Dict[str, str] = {}
        try:
            with model_storage.read_from(resource) as directory:
                cls._load_custom_dictionary(str(directory))
                synonyms = cls._read_synonyms(Path(directory))
        except ValueError:
            logger.warning("tokenizer.resource_missing: dictionary and synonyms not loaded")
        return cls(config, model_storage, resource, synonyms)

    def tokenize(self, message: Message, attribute: Text) -> List[Token]:
        tokens = super().tokenize(message, attribute)
        for token in tokens:
            canonical = self.synonyms.get(token.text)
            if canonical:
                token.text = canonical
                token.lemma = canonical
        return tokens
