"""The layers of docs/architecture.md, enforced: imports run one way, from the edges down."""
import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "src" / "juesuan"
# lower number = lower layer; a module may import its own layer or lower ones
LAYERS = {"domain": 0, "exit_codes": 0, "rules": 1, "views": 2, "io": 3, "ops": 4,
          "batch": 5, "cli": 6, "excel": 6, "service": 6, "console": 6}
MAX_LINES = 450


def modules():
    for path in sorted(PACKAGE.rglob("*.py")):
        yield path, path.relative_to(PACKAGE)


def layer_of(relative: Path) -> str | None:
    head = relative.parts[0].removesuffix(".py")
    return head if head in LAYERS else None


def imported(path: Path, relative: Path):
    """(juesuan submodule path parts, line) of every import of our own package in `path`."""
    package = ("juesuan", *relative.parts[:-1])
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[:len(package) - node.level + 1]
                parts = (*base, *(node.module.split(".") if node.module else ()))
                if not node.module:      # from . import x
                    for alias in node.names:
                        yield (*parts, alias.name), node.lineno
                    continue
            else:
                parts = tuple((node.module or "").split("."))
            if parts[0] == "juesuan":
                yield parts, node.lineno
        elif isinstance(node, ast.Import):
            for alias in node.names:
                parts = tuple(alias.name.split("."))
                if parts[0] == "juesuan":
                    yield parts, node.lineno


def test_imports_run_from_the_edges_down():
    upward = []
    for path, relative in modules():
        mine = layer_of(relative)
        if mine is None:
            continue
        for parts, line in imported(path, relative):
            if len(parts) < 2:
                continue
            theirs = parts[1]
            if theirs in LAYERS and LAYERS[theirs] > LAYERS[mine]:
                upward.append(f"{relative}:{line} imports juesuan.{'.'.join(parts[1:])}")
    assert upward == []


def test_no_import_cycle_between_modules():
    graph = {}
    names = {}
    for path, relative in modules():
        name = ".".join(("juesuan", *relative.with_suffix("").parts)).removesuffix(".__init__")
        names[name] = path
        graph[name] = set()
    for name, path in names.items():
        relative = path.relative_to(PACKAGE)
        for parts, _line in imported(path, relative):
            for cut in range(len(parts), 0, -1):
                target = ".".join(parts[:cut])
                if target in graph and target != name:
                    if not name.startswith(target + "."):     # a module importing its own package's face
                        graph[name].add(target)
                    break
    seen, stack, cycles = set(), [], []

    def visit(node):
        if node in stack:
            cycles.append(stack[stack.index(node):] + [node])
            return
        if node in seen:
            return
        seen.add(node)
        stack.append(node)
        for nxt in sorted(graph[node]):
            visit(nxt)
        stack.pop()

    for node in sorted(graph):
        visit(node)
    assert cycles == []


def test_click_only_in_the_command_line():
    outside = [str(relative) for path, relative in modules()
               if relative.parts[0] != "cli" and any(parts[0] == "click" for parts in _third_party(path))]
    assert outside == []


def _third_party(path: Path):
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield tuple(alias.name.split("."))
        elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
            yield tuple(node.module.split("."))


def test_files_are_replaced_in_one_module():
    replacing = [str(relative) for path, relative in modules()
                 if "os.replace(" in path.read_text(encoding="utf-8") or "os.rename(" in path.read_text(encoding="utf-8")]
    assert replacing == ["io/atomic.py"]


def test_no_module_is_too_long_to_read():
    long = {str(relative): n for path, relative in modules()
            if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert long == {}
