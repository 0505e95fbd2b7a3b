"""REFI-QDA in and out, transcripts, offsets and agreement between coders.

Researchers code in NVivo, ATLAS.ti, MAXQDA or QualCoder; this package meets them there:

- :func:`read_qdpx` reads a ``.qdpx`` project safely, detecting each source's offset
  convention and converting selections to code points (:mod:`resdep.qda.offsets`);
- :func:`import_qdpx` / :func:`load_qdpx_case` turn a project coded with the canonical
  codebook (or mapped onto it) into a :class:`~resdep.case.Case`;
- :func:`write_qdpx` writes a case back as a project, with the dependence networks as
  Links and Graphs; :func:`codebook_xml` writes the codebook (``.qdc``);
- :func:`add_sources` adds transcripts (.txt, .md, .docx) to a case folder;
- :func:`agreement` compares coders.
"""

from __future__ import annotations

from resdep.qda.agreement import AgreementResult, agreement, agreement_flags
from resdep.qda.casefolder import write_case_folder
from resdep.qda.codebook import CanonicalCode, codebook_xml, recognise
from resdep.qda.convert import ImportReport, import_qdpx, load_qdpx_case, project_to_case
from resdep.qda.export import write_qdpx
from resdep.qda.mapping import QdaMapping, load_mapping
from resdep.qda.offsets import Convention, detect_convention
from resdep.qda.project import QdaProject, read_qdpx
from resdep.qda.transcripts import add_sources, read_transcript, split_sentences

__all__ = [
    "AgreementResult",
    "CanonicalCode",
    "Convention",
    "ImportReport",
    "QdaMapping",
    "QdaProject",
    "add_sources",
    "agreement",
    "agreement_flags",
    "codebook_xml",
    "detect_convention",
    "import_qdpx",
    "load_mapping",
    "load_qdpx_case",
    "project_to_case",
    "read_qdpx",
    "read_transcript",
    "recognise",
    "split_sentences",
    "write_case_folder",
    "write_qdpx",
]
