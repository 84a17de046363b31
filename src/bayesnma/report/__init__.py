"""Render one analysis as a self-contained HTML page (tables and embedded figures), and
the answer page over every main analysis.

A pure function of the results: it reads and writes nothing. This module turns results
into plain values (text, tables of formatted cells, figures as data URIs); the Jinja2
templates in ``bayesnma/templates`` lay them out and escape every value.

:mod:`~bayesnma.report.cells` (formatted cells and tables), :mod:`~bayesnma.report.claims`
(headlines, certainty, answers, the run summary), :mod:`~bayesnma.report.sections` (the
report's other sections) and :mod:`~bayesnma.report.pages` (the pages).
"""

from bayesnma.report.claims import PRIOR_SET_PLACEMENT, claim_certainty, run_summary_text
from bayesnma.report.pages import render_answer_html, render_html
from bayesnma.report.sections import influence_sentence

__all__ = ["PRIOR_SET_PLACEMENT", "claim_certainty", "influence_sentence",
           "render_answer_html", "render_html", "run_summary_text"]
