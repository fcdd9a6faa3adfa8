#!/usr/bin/env python3
"""LoRA fine-tuning of the log classifier on a rendered dataset.

The input is what `sentinel dataset render` writes: one JSON object per line with the exact
training text and its pieces (prefix, message, tail, answer), rendered by the classifier's own
prompt code. This script never formats a prompt: it tokenises the pieces as the classifier does at
inference (control tokens parsed in the prefix, tail and answer, never in the message; the message
cut to --max-message-tokens) and computes the loss on the answer only.

`--dry-run` checks the data and prints a few examples with the standard library alone; torch,
transformers and peft are imported only for real training (see fine-tune/requirements.txt).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
import unicodedata
from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

LABELS = ("incident", "preventive_action", "normal")
PIECES = ("prefix", "message", "tail", "answer")


class DatasetError(Exception):
    """A rendered dataset that cannot be trained on; the message names the file and line."""


@dataclass(frozen=True)
class Example:
    line: int
    text: str
    prefix: str
    message: str
    tail: str
    answer: str
    label: str


@dataclass(frozen=True)
class RenderedDataset:
    path: str
    examples: list[Example]
    prompt_template_hash: str
    sha256: str

    def label_counts(self) -> dict[str, int]:
        counts = Counter(example.label for example in self.examples)
        return {label: counts.get(label, 0) for label in LABELS}


@dataclass(frozen=True)
class TrainingSettings:
    base_model: str
    lora_r: int
    lora_alpha: int
    lora_dropout: float
    learning_rate: float
    epochs: float
    batch_size: int
    gradient_accumulation: int
    max_message_tokens: int
    seed: int


def parse_example(path: str, number: int, line: str) -> tuple[Example, str]:
    """One rendered line and its prompt template hash, or a DatasetError saying what is wrong."""

    def fail(why: str) -> DatasetError:
        return DatasetError(f"{path}:{number}: {why}")

    try:
        value = json.loads(line)
    except json.JSONDecodeError as error:
        raise fail(f"not JSON: {error.msg}") from None
    if not isinstance(value, dict):
        raise fail("expected a JSON object, as `sentinel dataset render` writes")
    for key in ("text", *PIECES, "label", "promptTemplateHash"):
        if not isinstance(value.get(key), str):
            raise fail(f'no string "{key}": render the dataset with `sentinel dataset render`')
    if value["label"] not in LABELS:
        raise fail(f'"label" must be one of {", ".join(LABELS)}, got {value["label"]!r}')
    if "".join(value[piece] for piece in PIECES) != value["text"]:
        raise fail('"prefix" + "message" + "tail" + "answer" is not "text"')
    if not value["answer"].startswith(value["label"]):
        raise fail('"answer" does not start with "label"')
    example = Example(number, *(value[key] for key in ("text", *PIECES, "label")))
    return example, value["promptTemplateHash"]


def read_rendered(path: str) -> RenderedDataset:
    """Reads and checks a whole rendered file: every line valid, one prompt template throughout."""
    try:
        raw = Path(path).read_bytes()
    except OSError as error:
        raise DatasetError(f"{path}: {error.strerror}") from None
    examples: list[Example] = []
    hashes: set[str] = set()
    for number, line in enumerate(raw.decode("utf-8").split("\n"), start=1):
        if line.strip() == "":
            continue
        example, prompt_hash = parse_example(path, number, line)
        examples.append(example)
        hashes.add(prompt_hash)
    if not examples:
        raise DatasetError(f"{path}: no examples")
    if len(hashes) > 1:
        raise DatasetError(
            f"{path}: lines were rendered from {len(hashes)} different prompt templates; render them again"
        )
    return RenderedDataset(path, examples, hashes.pop(), hashlib.sha256(raw).hexdigest())


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="LoRA fine-tuning of the SentinelLLM log classifier on `sentinel dataset render` output"
    )
    parser.add_argument("--data", required=True, help="rendered training examples (JSON lines)")
    parser.add_argument("--eval-data", help="rendered held-out examples, for the eval loss")
    parser.add_argument("--output-dir", default="fine-tune/out", help="where the adapter is saved")
    parser.add_argument("--base-model", default="Qwen/Qwen2-1.5B-Instruct")
    parser.add_argument("--lora-r", type=int, default=64)
    parser.add_argument("--lora-alpha", type=int, default=16)
    parser.add_argument("--lora-dropout", type=float, default=0.1)
    parser.add_argument("--learning-rate", type=float, default=2e-4)
    parser.add_argument("--epochs", type=float, default=3)
    parser.add_argument("--batch-size", type=int, default=4)
    parser.add_argument("--gradient-accumulation", type=int, default=4)
    parser.add_argument(
        "--max-message-tokens",
        type=int,
        default=256,
        help="cut messages as the classifier does; keep equal to SENTINEL_MAX_MESSAGE_TOKENS",
    )
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument(
        "--push-to-hub",
        metavar="REPO",
        help="also push the adapter to this Hugging Face repository (token from HF_TOKEN)",
    )
    parser.add_argument(
        "--dry-run",
        action="store_true",
        help="check the data and print a few examples; needs no GPU and no Python packages",
    )
    parser.add_argument("--show", type=int, default=3, help="examples printed by --dry-run")
    args = parser.parse_args(argv)
    for name in ("lora_r", "lora_alpha", "batch_size", "gradient_accumulation", "max_message_tokens"):
        if getattr(args, name) < 1:
            parser.error(f"--{name.replace('_', '-')} must be at least 1")
    if not 0 <= args.lora_dropout < 1:
        parser.error("--lora-dropout must be in [0, 1)")
    if args.learning_rate <= 0 or args.epochs <= 0:
        parser.error("--learning-rate and --epochs must be above 0")
    return args


def settings_of(args: argparse.Namespace) -> TrainingSettings:
    return TrainingSettings(
        base_model=args.base_model,
        lora_r=args.lora_r,
        lora_alpha=args.lora_alpha,
        lora_dropout=args.lora_dropout,
        learning_rate=args.learning_rate,
        epochs=args.epochs,
        batch_size=args.batch_size,
        gradient_accumulation=args.gradient_accumulation,
        max_message_tokens=args.max_message_tokens,
        seed=args.seed,
    )


def describe(dataset: RenderedDataset) -> str:
    counts = ", ".join(f"{label} {count}" for label, count in dataset.label_counts().items())
    return (
        f"{dataset.path}: {len(dataset.examples)} examples ({counts}); "
        f"prompt template {dataset.prompt_template_hash}; sha256 {dataset.sha256}"
    )


def printable(text: str) -> str:
    """The text with control characters other than line breaks escaped, safe on a terminal."""
    return "".join(c if c == "\n" or unicodedata.category(c) not in ("Cc", "Cf") else f"\\u{ord(c):04x}" for c in text)


def dry_run(train: RenderedDataset, held_out: RenderedDataset | None, settings: TrainingSettings, show: int) -> None:
    print(describe(train))
    if held_out is not None:
        print(describe(held_out))
    print(f"settings: {json.dumps(asdict(settings))}")
    for example in train.examples[:show]:
        print(f"--- example (line {example.line}, label {example.label}) ---")
        print(printable(example.text), end="")
    print("--- dry run: data checked, nothing trained ---")


def hub_token() -> str:
    token = os.environ.get("HF_TOKEN", "")
    if not token:
        raise SystemExit("train.py: --push-to-hub needs the HF_TOKEN environment variable")
    return token


def train(train_set: RenderedDataset, held_out: RenderedDataset | None, settings: TrainingSettings, args: argparse.Namespace) -> None:
    """The real training, on a GPU host with fine-tune/requirements.txt installed."""
    import torch
    from datasets import Dataset
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM, AutoTokenizer, Trainer, TrainingArguments, set_seed

    token = hub_token() if args.push_to_hub else None
    set_seed(settings.seed)
    tokenizer = AutoTokenizer.from_pretrained(settings.base_model)
    newline = tokenizer("\n", add_special_tokens=False)["input_ids"]

    def tokenised(example: Example) -> dict[str, list[int]]:
        def ids(text: str, parse_control_tokens: bool) -> list[int]:
            encoded = tokenizer(text, add_special_tokens=False, split_special_tokens=not parse_control_tokens)
            return list(encoded["input_ids"])

        message = ids(example.message, parse_control_tokens=False)
        if len(message) > settings.max_message_tokens:
            message = message[: settings.max_message_tokens - 1] + newline
        prompt = ids(example.prefix, True) + message + ids(example.tail, True)
        answer = ids(example.answer, True)
        return {
            "input_ids": prompt + answer,
            "attention_mask": [1] * (len(prompt) + len(answer)),
            "labels": [-100] * len(prompt) + answer,
        }

    def as_dataset(rendered: RenderedDataset) -> Dataset:
        return Dataset.from_list([tokenised(example) for example in rendered.examples])

    def collate(batch: list[dict[str, list[int]]]) -> dict[str, Any]:
        width = max(len(item["input_ids"]) for item in batch)
        pad = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else tokenizer.eos_token_id

        def padded(key: str, value: int) -> Any:
            return torch.tensor([item[key] + [value] * (width - len(item[key])) for item in batch])

        return {"input_ids": padded("input_ids", pad), "attention_mask": padded("attention_mask", 0), "labels": padded("labels", -100)}

    cuda = torch.cuda.is_available()
    bf16 = cuda and torch.cuda.is_bf16_supported()
    fp16 = cuda and not bf16
    dtype = torch.bfloat16 if bf16 else torch.float16 if fp16 else torch.float32
    model = AutoModelForCausalLM.from_pretrained(settings.base_model, torch_dtype=dtype)
    model = get_peft_model(
        model,
        LoraConfig(
            r=settings.lora_r,
            lora_alpha=settings.lora_alpha,
            lora_dropout=settings.lora_dropout,
            target_modules=["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"],
            task_type="CAUSAL_LM",
        ),
    )
    model.print_trainable_parameters()
    output = Path(args.output_dir)
    trainer = Trainer(
        model=model,
        args=TrainingArguments(
            output_dir=str(output / "checkpoints"),
            num_train_epochs=settings.epochs,
            learning_rate=settings.learning_rate,
            per_device_train_batch_size=settings.batch_size,
            per_device_eval_batch_size=settings.batch_size,
            gradient_accumulation_steps=settings.gradient_accumulation,
            bf16=bf16,
            fp16=fp16,
            logging_steps=10,
            eval_strategy="epoch" if held_out is not None else "no",
            save_strategy="epoch",
            save_total_limit=1,
            seed=settings.seed,
            report_to=[],
            remove_unused_columns=False,
        ),
        train_dataset=as_dataset(train_set),
        eval_dataset=as_dataset(held_out) if held_out is not None else None,
        data_collator=collate,
    )
    result = trainer.train()
    adapter_dir = output / "adapter"
    model.save_pretrained(adapter_dir)
    tokenizer.save_pretrained(adapter_dir)
    metrics: dict[str, float] = {"train_loss": result.training_loss}
    if held_out is not None:
        metrics.update(trainer.evaluate())
    write_training_info(output, adapter_dir, train_set, settings, metrics)
    if args.push_to_hub:
        model.push_to_hub(args.push_to_hub, token=token)
        tokenizer.push_to_hub(args.push_to_hub, token=token)
    print(f"adapter saved to {adapter_dir}; next: fine-tune/export.py (README, Fine-tuning)")


def write_training_info(
    output: Path,
    adapter_dir: Path,
    dataset: RenderedDataset,
    settings: TrainingSettings,
    metrics: dict[str, float],
) -> None:
    """training.json: what fine-tune/export.py copies into each exported file's manifest."""
    info = {
        "baseModel": settings.base_model,
        "adapterDir": str(adapter_dir),
        "promptTemplateHash": dataset.prompt_template_hash,
        "dataset": {"file": dataset.path, "sha256": dataset.sha256, "examples": len(dataset.examples), "labels": dataset.label_counts()},
        "settings": asdict(settings),
        "metrics": metrics,
    }
    (output / "training.json").write_text(json.dumps(info, indent=2) + "\n", encoding="utf-8")


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    settings = settings_of(args)
    try:
        train_set = read_rendered(args.data)
        held_out = read_rendered(args.eval_data) if args.eval_data else None
        if held_out is not None and held_out.prompt_template_hash != train_set.prompt_template_hash:
            raise DatasetError(f"{args.eval_data}: rendered from another prompt template than {args.data}")
    except DatasetError as error:
        print(f"train.py: {error}", file=sys.stderr)
        return 1
    if args.dry_run:
        dry_run(train_set, held_out, settings, args.show)
        return 0
    train(train_set, held_out, settings, args)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
