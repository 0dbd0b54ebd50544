"""Rules over the report: the rule registry and findings, grid parsing with entry checks, relations, audit, fill. Pure Python."""

# Rule families declared in modules of their own (``registry_<topic>.py``, each built with
# ``registry._rule``) are imported here so that every rule is in ``registry.RULES`` whichever
# module a caller imports first; add one line per such module.
from . import registry_merge  # noqa: E402,F401  (汇总 M01–M19)
from . import registry_import  # noqa: E402,F401  I01–I09 导入
from . import registry_trust  # noqa: E402,F401  -- F06, E22 (issue #12)
from . import registry_narrative  # noqa: E402,F401  (上年数, 其他公开事项: E30–E34, R18.x)
from . import registry_narrative_check  # noqa: E402,F401  (情况说明 check: N01–N26)
