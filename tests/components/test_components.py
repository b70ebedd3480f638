"""The custom NLU components: normaliser and zone-aware jieba tokenizer."""

from __future__ import annotations

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from components.normalizer import ChineseTextNormalizer
from components.zone_tokenizer import ZoneJiebaTokenizer
from tests.conftest import PROJECT_ROOT


@pytest.fixture
def context():
    return ExecutionContext(GraphSchema({}), "test")


@pytest.fixture
def storage(tmp_path):
    return LocalModelStorage(tmp_path)


def test_normalizer_folds_text_and_flags_truncation(storage, context):
    normalizer = ChineseTextNormalizer.create({}, storage, Resource("n"), context)
    messages = [Message({"text": "請問ＡＢＣ！！！"}), Message({"text": "机场" * 400}), Message({"text": "/greet"})]
    normalizer.process(messages)
    assert messages[0].get("text") == "请问abc!"
    assert messages[1].get("text_truncated") is True and len(messages[1].get("text")) == 300
    assert messages[2].get("text") == "/greet"


def test_normalizer_leaves_training_data_alone(storage, context):
    normalizer = ChineseTextNormalizer.create({}, storage, Resource("n"), context)
    data = TrainingData([Message({"text": "[固投](indicator)多少", "intent": "ask_figure"})])
    assert normalizer.process_training_data(data) is data


def _tokenizer(storage, context):
    config = {**ZoneJiebaTokenizer.get_default_config(), "dictionary_path": str(PROJECT_ROOT / "data" / "jieba")}
    return ZoneJiebaTokenizer.create(config, storage, Resource("tok"), context), config


def test_tokenizer_folds_synonyms_and_keeps_offsets(storage, context):
    tokenizer, _ = _tokenizer(storage, context)
    message = Message({"text": "九华的固投多少"})
    tokens = tokenizer.tokenize(message, "text")
    texts = [t.text for t in tokens]
    assert "湘潭经开区" in texts and "固定资产投资" in texts
    synonym = next(t for t in tokens if t.text == "固定资产投资")
    assert message.get("text")[synonym.start : synonym.end] == "固投"


def test_tokenizer_keeps_zone_names_whole(storage, context):
    tokenizer, _ = _tokenizer(storage, context)
    texts = [t.text for t in tokenizer.tokenize(Message({"text": "九华精神是什么"}), "text")]
    assert texts[0] == "九华精神"


def test_tokenizer_synonyms_survive_persist_and_load(storage, context):
    tokenizer, config = _tokenizer(storage, context)
    tokenizer.train(TrainingData())
    loaded = ZoneJiebaTokenizer.load(config, storage, Resource("tok"), context)
    assert loaded.synonyms["固投"] == "固定资产投资"
