"""The knowledge base: which ingredients may provoke or worsen RLS, why, and every name they go by."""

from .loader import builtin_path, load_knowledge_base, validate_file

__all__ = ["builtin_path", "load_knowledge_base", "validate_file"]
