"""Publishing new phrasings: build the training data from knowledge/, train, test, and
switch the live model, all in the background while the old model keeps serving.

Each step runs in a scratch build folder (a copy of config.yml, domain.yml and data/ with
the generated files rebuilt from knowledge/), so a failed or refused publish leaves the
project's data/ and the live model exactly as they were. Training and the regression
gate run as child processes: TensorFlow never loads into the web app."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import re
import shutil
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, List, Optional

from kb.loader import load_knowledge
from kb.training_data import write_generated_files
from publishing.jobs import FAILED, REFUSED, SUCCEEDED, JobStore
from publishing.models import ModelRegistry

logger = logging.getLogger(__name__)

EPOCHS = re.compile(r"Epochs:\s+(\d+)%")
# Two components train with epochs (DIET, then the FAQ ResponseSelector); training takes
# progress from 10 % to 80 %, each bar half of that.
TRAIN_START, TRAIN_END, BARS = 10, 80, 2


@dataclass(frozen=True)
class PublishSettings:
    project_dir: Path  # config.yml, domain.yml, data/
    knowledge_dir: Path
    work_dir: Path  # scratch builds and logs
    heldout: Path
    min_phrasing_accuracy: float = 0.98
    min_heldout_accuracy: float = 0.92
    switch_timeout: float = 120.0
    python: str = sys.executable

    @property
    def rasa(self) -> str:
        return str(Path(self.python).parent / "rasa")


class Publisher:
    """Runs one publish job from start to finish, reporting progress to the JobStore."""

    def __init__(
        self,
        settings: PublishSettings,
        jobs: JobStore,
        registry: ModelRegistry,
        model_loaded: Callable[[str], bool],
        nlu_checks: bool = True,
    ) -> None:
        self.settings = settings
        self.jobs = jobs
        self.registry = registry
        self.model_loaded = model_loaded  # has a Rasa server pulled this fingerprint?
        self.nlu_checks = nlu_checks

    async def run(self, job_id: str) -> None:
        build = self.settings.work_dir / job_id
        log_path = self.settings.work_dir / f"{job_id}.log"
        try:
            await self._run(job_id, build, log_path)
        except Exception as error:  # never leave a job 'running' forever
            logger.exception("publish.failed job=%s", job_id)
            self.jobs.update(job_id, status=FAILED, message=f"发布失败，线上模型没有改变：{error}")
        finally:
            shutil.rmtree(build, ignore_errors=True)

    def _stage(self, job_id: str, stage: str, progress: int, message: str = "") -> None:
        self.jobs.update(job_id, stage=stage, progress=progress, message=message or stage)
        logger.info("publish.stage job=%s stage=%s progress=%s", job_id, stage, progress)

    async def _run(self, job_id: str, build: Path, log_path: Path) -> None:
        self._stage(job_id, "检查知识库", 2)
        # Validation, copying and writing files, installing the model: blocking work, on a
        # thread, so the web app that runs this keeps serving the widget and the model pulls.
        problems = await _off_loop(self._problems)
        if problems:
            self.jobs.update(
                job_id,
                status=FAILED,
                message="知识库有错误，请先改正再发布",
                failures=[{"check": "validation", "text": p} for p in problems],
            )
            return
        self._stage(job_id, "生成训练数据", 5)
        knowledge = await _off_loop(self._prepare_build, build)

        self._stage(job_id, "训练模型", TRAIN_START, "训练模型（约 3 分钟）")
        candidate = build / "models" / "candidate.tar.gz"
        code = await self._train(job_id, build, log_path)
        if code != 0 or not candidate.exists():
            tail = log_path.read_text(encoding="utf-8", errors="replace").splitlines()[-15:]
            self.jobs.update(
                job_id,
                status=FAILED,
                message="训练失败，线上模型没有改变",
                failures=[{"check": "training", "text": line} for line in tail],
            )
            return

        self._stage(job_id, "回归测试", 85, "回归测试：逐条检查所有问法和留出测试集")
        gate = await self._gate(build, candidate, log_path)
        if gate is None:
            self.jobs.update(job_id, status=FAILED, message="回归测试没能运行，线上模型没有改变（见日志）")
            return
        scores = {
            k: gate[k]
            for k in (
                "phrasing_accuracy",
                "heldout_accuracy",
                "phrasing_total",
                "heldout_total",
                "heldout_skipped",
                "min_phrasing_accuracy",
                "min_heldout_accuracy",
            )
        }
        if not gate["passed"]:
            self.jobs.update(
                job_id,
                status=REFUSED,
                scores=scores,
                failures=gate["failures"],
                message=(
                    f"未通过回归测试，线上模型没有改变：问法正确率 {gate['phrasing_accuracy']:.1%}"
                    f"（要求 ≥ {gate['min_phrasing_accuracy']:.0%}），留出测试集正确率 "
                    f"{gate['heldout_accuracy']:.1%}（要求 ≥ {gate['min_heldout_accuracy']:.0%}）。"
                    "下面列出答错的问题。"
                ),
            )
            return

        self._stage(job_id, "切换模型", 95, "切换到新模型")
        fingerprint = await _off_loop(self._switch, knowledge, candidate)
        self.jobs.update(job_id, fingerprint=fingerprint, scores=scores, failures=gate["failures"])
        loaded = await self._wait_until_loaded(fingerprint)
        self.jobs.update(
            job_id,
            status=SUCCEEDED,
            progress=100,
            stage="完成",
            message="新模型已上线：Rasa 已加载"
            if loaded
            else "新模型已发布；Rasa 服务会在下一次拉取模型时加载它（尚未确认）",
        )

    def _prepare_build(self, build: Path):
        """The project with the training data generated from knowledge/, in `build`."""
        s = self.settings
        knowledge = load_knowledge(s.knowledge_dir).knowledge
        build.mkdir(parents=True, exist_ok=True)
        for name in ("config.yml", "domain.yml"):
            shutil.copyfile(s.project_dir / name, build / name)
        shutil.copytree(s.project_dir / "data", build / "data", dirs_exist_ok=True)
        write_generated_files(knowledge, build)
        return knowledge

    def _switch(self, knowledge, candidate: Path) -> str:
        # data/ first, then the model: the model ends up newer than its inputs, so
        # `make train` on this machine keeps it rather than training it again.
        write_generated_files(knowledge, self.settings.project_dir)
        return self.registry.install(candidate)

    def _problems(self) -> List[str]:
        result = load_knowledge(self.settings.knowledge_dir)
        problems = [str(p) for p in result.problems]
        if self.nlu_checks and not problems:
            from kb.checks import extra_problems

            problems = [str(p) for p in extra_problems(result.knowledge, self.settings.project_dir / "data" / "nlu")]
        return problems

    def _env(self) -> dict:
        env = dict(os.environ)
        env.setdefault("RASA_CACHE_DIRECTORY", str(self.settings.work_dir / "rasa-cache"))
        env["LOG_LEVEL"] = "INFO"  # tqdm progress bars are off at WARNING
        env["PYTHONPATH"] = os.pathsep.join(
            filter(None, [str(Path(__file__).resolve().parent.parent), env.get("PYTHONPATH")])
        )
        env["RASA_TELEMETRY_ENABLED"] = "false"
        return env

    async def _train(self, job_id: str, build: Path, log_path: Path) -> int:
        process = await asyncio.create_subprocess_exec(
            self.settings.rasa,
            "train",
            "--config",
            "config.yml",
            "--domain",
            "domain.yml",
            "--data",
            "data",
            "--out",
            "models",
            "--fixed-model-name",
            "candidate",
            cwd=str(build),
            env=self._env(),
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
        bar, last_percent, last_report = 0, -1, 0.0
        with open(log_path, "ab") as log:
            buffer = b""
            while True:
                chunk = await process.stdout.read(4096)
                if not chunk:
                    break
                log.write(chunk)
                buffer = (buffer + chunk)[-8192:]
                for match in EPOCHS.finditer(buffer.decode("utf-8", errors="replace")):
                    percent = int(match.group(1))
                    if percent < last_percent:  # a new progress bar: the next component
                        bar = min(bar + 1, BARS - 1)
                    last_percent = percent
                buffer = buffer[-200:]
                if last_percent >= 0 and time.monotonic() - last_report > 1:
                    span = (TRAIN_END - TRAIN_START) / BARS
                    progress = int(TRAIN_START + span * bar + span * last_percent / 100)
                    part = "意图识别" if bar == 0 else "问答匹配"
                    self.jobs.update(job_id, progress=progress, message=f"训练模型：{part} {last_percent}%")
                    last_report = time.monotonic()
        return await process.wait()

    async def _gate(self, build: Path, candidate: Path, log_path: Path) -> Optional[dict]:
        s = self.settings
        out = build / "gate.json"
        with open(log_path, "ab") as log:
            process = await asyncio.create_subprocess_exec(
                s.python,
                "-m",
                "publishing.gate",
                "--model",
                str(candidate),
                "--knowledge",
                str(s.knowledge_dir),
                "--heldout",
                str(s.heldout),
                "--min-phrasing-accuracy",
                str(s.min_phrasing_accuracy),
                "--min-heldout-accuracy",
                str(s.min_heldout_accuracy),
                "--out",
                str(out),
                env=self._env(),
                stdout=log,
                stderr=log,
            )
            await process.wait()
        if not out.exists():
            return None
        return json.loads(out.read_text(encoding="utf-8"))

    async def _wait_until_loaded(self, fingerprint: str) -> bool:
        deadline = time.monotonic() + self.settings.switch_timeout
        while time.monotonic() < deadline:
            if self.model_loaded(fingerprint):
                return True
            await asyncio.sleep(1)
        return False


async def _off_loop(function, *args):
    return await asyncio.get_running_loop().run_in_executor(None, function, *args)
