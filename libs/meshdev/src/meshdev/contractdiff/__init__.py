"""Contract review: classify every change between two versions of the OpenAPI contracts.

The rule is the one clients live by: what a client sends may only widen, what it receives
may only narrow. On top of the wire, names that openapi-python-client turns into Python
(operationIds, first tags, model titles) are part of the contract of the generated clients.
"""

from meshdev.contractdiff.model import Change, ContractDiff, ServiceDiff
from meshdev.contractdiff.operations import diff_directories, diff_documents

__all__ = ["Change", "ContractDiff", "ServiceDiff", "diff_directories", "diff_documents"]
