"""Evaluation against the gold layers: boilerplate removal (span metrics on the raw text, leakage
by label, the AEB score), NER and quotes. The boilerplate API is used by the `benchmark` command.
"""
from .boilerplate import evaluate_spans, evaluate_system, evaluate_texts
from .report import render_markdown, to_json
from .result import DocumentScore, EvaluationResult, Summary

__all__ = ["evaluate_texts", "evaluate_spans", "evaluate_system", "render_markdown", "to_json",
           "EvaluationResult", "DocumentScore", "Summary"]
