#!/usr/bin/env python3
"""Exports a trained adapter to GGUF for the classifier, with a manifest beside every file.

  export.py adapter  the LoRA adapter as a GGUF of its own (served with --lora / SENTINEL_LORA)
  export.py merged   the adapter merged into the base model, converted and quantised (Q4_K_M, Q8_0)
  export.py manifest (re)writes FILE.manifest.json, e.g. once `sentinel eval --json` has measured it

Conversion runs llama.cpp's own tools from a checkout named by LLAMA_CPP_DIR (or --llama-cpp):
convert_lora_to_gguf.py, convert_hf_to_gguf.py and llama-quantize. The manifest records the base
model, the adapter, the training data's hash, the eval metrics and the prompt template's hash; the
classifier refuses a file whose manifest names another prompt template than its own.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

MANIFEST_FORMAT = "sentinel-model-manifest/1"
QUANTISATIONS = ("Q4_K_M", "Q8_0")


class ExportError(Exception):
    """Something export cannot work with; the message says what and how to fix it."""


def manifest_path(gguf: Path) -> Path:
    """`adapter.gguf` → `adapter.gguf.manifest.json`, where the classifier looks for it."""
    return gguf.with_name(f"{gguf.name}.manifest.json")


def read_json(path: Path, what: str) -> dict[str, Any]:
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise ExportError(f"{path}: cannot read the {what}: {error.strerror}") from None
    except json.JSONDecodeError as error:
        raise ExportError(f"{path}: the {what} is not JSON: {error.msg}") from None
    if not isinstance(value, dict):
        raise ExportError(f"{path}: the {what} must be a JSON object")
    return value


def read_training_info(path: Path) -> dict[str, Any]:
    """training.json as fine-tune/train.py writes it."""
    info = read_json(path, "training info (train.py's training.json)")
    for key in ("baseModel", "adapterDir", "promptTemplateHash", "dataset", "settings"):
        if key not in info:
            raise ExportError(f'{path}: no "{key}"; is this the training.json train.py wrote?')
    return info


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def build_manifest(
    gguf: Path,
    kind: str,
    quantisation: str,
    training: dict[str, Any],
    evaluation: dict[str, Any] | None,
) -> dict[str, Any]:
    settings = training["settings"]
    return {
        "format": MANIFEST_FORMAT,
        "file": gguf.name,
        "sha256": sha256_of(gguf),
        "kind": kind,
        "quantisation": quantisation,
        "baseModel": training["baseModel"],
        "adapter": {
            "dir": training["adapterDir"],
            "r": settings.get("lora_r"),
            "alpha": settings.get("lora_alpha"),
            "dropout": settings.get("lora_dropout"),
        },
        "dataset": training["dataset"],
        "promptTemplateHash": training["promptTemplateHash"],
        "training": {"settings": settings, "metrics": training.get("metrics", {})},
        "eval": evaluation,
        "createdAt": datetime.now(timezone.utc).isoformat(timespec="seconds"),
    }


def write_manifest(gguf: Path, kind: str, quantisation: str, training: dict[str, Any], evaluation: dict[str, Any] | None) -> Path:
    if not gguf.is_file():
        raise ExportError(f"{gguf}: no such GGUF file")
    target = manifest_path(gguf)
    partial = target.with_name(f"{target.name}.partial")
    partial.write_text(json.dumps(build_manifest(gguf, kind, quantisation, training, evaluation), indent=2) + "\n", encoding="utf-8")
    partial.replace(target)
    return target


class LlamaCpp:
    """llama.cpp's converters and quantiser in a checkout, checked before anything runs."""

    def __init__(self, directory: str | None) -> None:
        if not directory:
            raise ExportError("llama.cpp is needed for the GGUF conversion: set LLAMA_CPP_DIR (or --llama-cpp) to a llama.cpp checkout")
        self.directory = Path(directory)
        for script in ("convert_lora_to_gguf.py", "convert_hf_to_gguf.py"):
            if not (self.directory / script).is_file():
                raise ExportError(f"{self.directory}: no {script}; is LLAMA_CPP_DIR a llama.cpp checkout?")

    def quantize_binary(self) -> str:
        for candidate in (self.directory / "build" / "bin" / "llama-quantize", self.directory / "llama-quantize"):
            if candidate.is_file():
                return str(candidate)
        found = shutil.which("llama-quantize")
        if found is None:
            raise ExportError(f"llama-quantize not found in {self.directory}/build/bin or on PATH: build it with `cmake --build build --target llama-quantize`")
        return found

    def run(self, command: list[str]) -> None:
        print("+ " + " ".join(command), flush=True)
        completed = subprocess.run(command, check=False)
        if completed.returncode != 0:
            tool = command[1] if command[0] == sys.executable else command[0]
            raise ExportError(f"{Path(tool).name} failed with exit status {completed.returncode}")

    def convert_lora(self, adapter_dir: Path, base_dir: Path, outfile: Path, outtype: str) -> None:
        script = str(self.directory / "convert_lora_to_gguf.py")
        self.run([sys.executable, script, "--base", str(base_dir), "--outfile", str(outfile), "--outtype", outtype, str(adapter_dir)])

    def convert_model(self, model_dir: Path, outfile: Path) -> None:
        script = str(self.directory / "convert_hf_to_gguf.py")
        self.run([sys.executable, script, str(model_dir), "--outfile", str(outfile), "--outtype", "f16"])

    def quantize(self, source: Path, target: Path, quantisation: str) -> None:
        self.run([self.quantize_binary(), str(source), str(target), quantisation])


def merge_adapter(base_dir: Path, adapter_dir: Path, merged_dir: Path) -> None:
    """The adapter folded into the base weights, saved as a Hugging Face model (needs torch and peft)."""
    import torch
    from peft import PeftModel
    from transformers import AutoModelForCausalLM, AutoTokenizer

    base = AutoModelForCausalLM.from_pretrained(base_dir, torch_dtype=torch.float16)
    merged = PeftModel.from_pretrained(base, adapter_dir).merge_and_unload()
    merged.save_pretrained(merged_dir, safe_serialization=True)
    AutoTokenizer.from_pretrained(adapter_dir).save_pretrained(merged_dir)


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="export a trained adapter to GGUF with manifests")
    commands = parser.add_subparsers(dest="command", required=True)

    def conversion(name: str, help_text: str) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help_text)
        sub.add_argument("--training-dir", required=True, type=Path, help="train.py's --output-dir (holds training.json)")
        sub.add_argument("--base-model-dir", required=True, type=Path, help="local copy of the base model (huggingface-cli download … --local-dir)")
        sub.add_argument("--output-dir", required=True, type=Path)
        sub.add_argument("--name", default="sentinel-classifier", help="file name stem")
        sub.add_argument("--llama-cpp", default=os.environ.get("LLAMA_CPP_DIR"), help="llama.cpp checkout (default: LLAMA_CPP_DIR)")
        return sub

    adapter = conversion("adapter", "convert the LoRA adapter to a GGUF adapter")
    adapter.add_argument("--outtype", choices=("f16", "q8_0"), default="f16")
    merged = conversion("merged", "merge the adapter into the base model, convert and quantise")
    merged.add_argument("--quantise", nargs="+", choices=QUANTISATIONS, default=list(QUANTISATIONS))

    manifest = commands.add_parser("manifest", help="write FILE.manifest.json")
    manifest.add_argument("gguf", type=Path)
    manifest.add_argument("--training", required=True, type=Path, help="train.py's training.json")
    manifest.add_argument("--eval", type=Path, help="`sentinel eval --json` output for this file")
    manifest.add_argument("--kind", choices=("lora-adapter", "merged-model"), default="lora-adapter")
    manifest.add_argument("--quantisation", default="f16")
    return parser.parse_args(argv)


def export_adapter(args: argparse.Namespace) -> None:
    training = read_training_info(args.training_dir / "training.json")
    llama = LlamaCpp(args.llama_cpp)
    args.output_dir.mkdir(parents=True, exist_ok=True)
    outfile = args.output_dir / f"{args.name}-lora-{args.outtype}.gguf"
    llama.convert_lora(Path(training["adapterDir"]), args.base_model_dir, outfile, args.outtype)
    print(write_manifest(outfile, "lora-adapter", args.outtype, training, None))


def export_merged(args: argparse.Namespace) -> None:
    training = read_training_info(args.training_dir / "training.json")
    llama = LlamaCpp(args.llama_cpp)
    args.output_dir.mkdir(parents=True, exist_ok=True)
    merged_dir = args.output_dir / f"{args.name}-merged-hf"
    merge_adapter(args.base_model_dir, Path(training["adapterDir"]), merged_dir)
    f16 = args.output_dir / f"{args.name}-f16.gguf"
    llama.convert_model(merged_dir, f16)
    print(write_manifest(f16, "merged-model", "f16", training, None))
    for quantisation in args.quantise:
        target = args.output_dir / f"{args.name}-{quantisation}.gguf"
        llama.quantize(f16, target, quantisation)
        print(write_manifest(target, "merged-model", quantisation, training, None))


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    try:
        if args.command == "adapter":
            export_adapter(args)
        elif args.command == "merged":
            export_merged(args)
        else:
            training = read_training_info(args.training)
            evaluation = read_json(args.eval, "eval result (sentinel eval --json)") if args.eval else None
            print(write_manifest(args.gguf, args.kind, args.quantisation, training, evaluation))
    except ExportError as error:
        print(f"export.py: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
