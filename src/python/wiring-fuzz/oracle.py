"""The fuzzer's independent judge of one wiring outcome, written against CPython alone.

Reads one JSON case per line on stdin and answers one JSON line: the list of broken promises
(empty when the outcome keeps every promise). Nothing here shares code with the TypeScript
editor: validity is CPython's compile, presence is counted on CPython's ast, and "still
imports" is executing the module with every non-stdlib import replaced by a stub.
"""

import ast
import base64
import builtins
import json
import sys
import types
import warnings

FLOOR = (3, 11)


def cpython_error(data):
    """None when CPython (and the requires-python floor) accepts the bytes, else the error's line."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            compile(data, "<fuzz>", "exec", dont_inherit=True)
            ast.parse(data, "<fuzz>", feature_version=FLOOR)
    except (SyntaxError, ValueError, UnicodeError) as error:
        line = getattr(error, "lineno", None)
        if line is None and b"\0" in data:
            line = data[: data.index(b"\0")].count(b"\n") + 1
        return max(line or 1, 1)
    return None


def is_subsequence(part, whole):
    it = iter(whole)
    return all(byte in it for byte in part)


# --- "still imports": run the module with stub imports -------------------------------------


class StubMeta(type):
    def __getattr__(cls, name):
        if name.startswith("__"):
            raise AttributeError(name)
        return stub(f"{cls.__name__}.{name}")

    def __getitem__(cls, item):
        return cls

    def __call__(cls, *args, **kwargs):
        if len(args) == 1 and not kwargs and isinstance(args[0], type):
            return args[0]  # used as a decorator
        return cls

    def __or__(cls, other):
        return cls

    __ror__ = __or__


def stub(name):
    return StubMeta(name, (), {})


class StubModule(types.ModuleType):
    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        return stub(f"{self.__name__}.{name}")


def stub_import(name, globals=None, locals=None, fromlist=(), level=0):
    top = name.split(".")[0]
    if level == 0 and (top in sys.stdlib_module_names or top == "__future__"):
        return builtins.__import__(name, globals, locals, fromlist, level)
    return StubModule(name or ".")


def executes(data, module_name):
    """None when the module body runs to the end with stubbed imports, else the error."""
    namespace = {
        "__name__": module_name,
        "__package__": module_name.rpartition(".")[0],
        "__builtins__": {**vars(builtins), "__import__": stub_import},
    }
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            exec(compile(data, module_name, "exec", dont_inherit=True), namespace)
    except Exception as error:  # noqa: BLE001 - any failure means "does not import"
        return f"{type(error).__name__}: {error}"
    return None


# --- "each entry exactly once", counted by meaning ------------------------------------------


def module_level_imports(tree, package):
    """(module, member or None, bound name) for each top-level import, relative ones resolved."""
    found = []
    for node in tree.body:
        if isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                if node.level - 1 >= len(parts):
                    continue
                prefix = ".".join(parts[: len(parts) - (node.level - 1)])
                base = f"{prefix}.{base}" if base else prefix
            for alias in node.names:
                found.append((base, alias.name, alias.asname or alias.name))
        elif isinstance(node, ast.Import):
            for alias in node.names:
                found.append((alias.name, None, alias.asname or alias.name.split(".")[0]))
    return found


def top_level_assignment(tree, variable):
    """The value the module leaves bound to `variable`: its last top-level assignment."""
    found = None
    for node in tree.body:
        targets = node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(node, ast.AnnAssign) else []
        if any(isinstance(t, ast.Name) and t.id == variable for t in targets):
            found = node.value
    return found


def dotted(node):
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = dotted(node.value)
        return f"{base}.{node.attr}" if base else None
    return None


def router_spellings(tree, package, module):
    """Dotted names under which this module's imports reach `<module>.router`."""
    spellings = set()
    for base, member, bound in module_level_imports(tree, package):
        if member is None:
            if base == module:
                spellings.add(f"{bound}.router" if bound != base.split(".")[0] else f"{module}.router")
        elif f"{base}.{member}" == module:
            spellings.add(f"{bound}.router")
        elif base == module and member == "router":
            spellings.add(bound)
    return spellings


def count_routers(tree, package, module):
    value = top_level_assignment(tree, "ROUTERS")
    if not isinstance(value, (ast.Tuple, ast.List)):
        return None
    spellings = router_spellings(tree, package, module)
    return sum(1 for element in value.elts if dotted(element) in spellings)


def count_all_entries(tree, name):
    value = top_level_assignment(tree, "__all__")
    if not isinstance(value, (ast.Tuple, ast.List)):
        return None
    return sum(1 for element in value.elts if isinstance(element, ast.Constant) and element.value == name)


def imports_module(tree, package, module):
    return sum(
        1
        for base, member, _ in module_level_imports(tree, package)
        if (member is not None and f"{base}.{member}" == module) or (member is None and base == module)
    )


def top_level_class(tree, name):
    return [node for node in tree.body if isinstance(node, ast.ClassDef) and node.name == name]


def count_bindings(tree, package, module, name):
    return sum(1 for base, member, bound in module_level_imports(tree, package) if base == module and member == name and bound == name)


def presence_problems(kind, tree, case):
    pkg, module, cls = case["package"], case["module"], case["className"]
    problems = []

    def exactly_once(what, count):
        if count != 1:
            problems.append(f"{what}: found {count} times, expected exactly once")

    if kind == "factory":
        classes = top_level_class(tree, "RequestFactory")
        if not classes:
            return ["class RequestFactory: not found at module level"]
        methods = [n.name for n in classes[-1].body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]
        for suffix in ("repository", "service", "controller"):
            exactly_once(f"RequestFactory.{module}_{suffix}", methods.count(f"{module}_{suffix}"))
        wanted = [
            (f"{pkg}.domain.controllers.{module}", f"{cls}Controller"),
            (f"{pkg}.domain.repositories.{module}", f"{cls}Repository"),
            (f"{pkg}.domain.services.{module}", f"I{cls}Service"),
            (f"{pkg}.domain.services.{module}", f"{cls}Service"),
        ]
        if case["concurrentReads"]:
            wanted.append((f"{pkg}.domain.repositories.session_scope", "SessionScoped"))
        for source, name in wanted:
            exactly_once(f"import of {name}", count_bindings(tree, f"{pkg}.domain", source, name))
    elif kind == "router":
        routes = f"{pkg}.http.routes"
        count = count_routers(tree, routes, f"{routes}.{module}")
        if count is None:
            return ["ROUTERS is not a tuple or list literal"]
        exactly_once(f"{module}.router in ROUTERS", count)
    elif kind == "tables":
        repositories = f"{pkg}.domain.repositories"
        count = count_all_entries(tree, module)
        if count is None:
            return ["__all__ is not a tuple or list literal"]
        exactly_once(f'"{module}" in __all__', count)
        if imports_module(tree, repositories, f"{repositories}.{module}") < 1:
            problems.append(f"{repositories}.{module} is not imported")
    elif kind == "errors":
        names = [f"{cls}NotFoundError", f"Invalid{cls}Error"] + ([f"{cls}ConflictError"] if case["conflicts"] else [])
        for name in names:
            exactly_once(f"class {name}", len(top_level_class(tree, name)))
    return problems


def required_names(kind, case):
    pkg, module, cls = case["package"], case["module"], case["className"]
    if kind == "factory":
        return {f"{cls}Controller", f"{cls}Repository", f"I{cls}Service", f"{cls}Service"}
    if kind == "router":
        return {module}
    return set()


def late_binding_confirmed(kind, data, line, message, case):
    """A refusal of valid input is right when a name the new code needs is imported only below its user."""
    import re

    claimed = re.search(r"expected (\w+) to be imported above", message)
    if not claimed or claimed.group(1) not in required_names(kind, case):
        return False
    name = claimed.group(1)
    tree = ast.parse(data)
    if kind == "factory":
        if any(isinstance(n, ast.ImportFrom) and n.module == "__future__" and any(a.name == "annotations" for a in n.names) for n in tree.body):
            return False
        users = [n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "RequestFactory"]
    else:
        users = [n for n in tree.body if isinstance(n, (ast.Assign, ast.AnnAssign)) and "ROUTERS" in {getattr(t, "id", None) for t in (n.targets if isinstance(n, ast.Assign) else [n.target])}]
    if not users:
        return False
    use_line = min([users[0].lineno] + [d.lineno for d in getattr(users[0], "decorator_list", [])])

    def binds(node):
        return isinstance(node, (ast.Import, ast.ImportFrom)) and any((a.asname or a.name.split(".")[0]) == name for a in node.names)

    earlier = [n for n in tree.body if n.lineno < use_line and binds(n)]
    later = [n for n in tree.body if n.lineno > use_line and binds(n)]
    return not earlier and any(n.lineno <= line <= n.end_lineno for n in later)


MODULE_NAMES = {
    "factory": "{pkg}.domain.factory",
    "router": "{pkg}.http.routes",
    "tables": "{pkg}.domain.repositories.tables",
    "errors": "{pkg}.domain.errors",
}


def judge_case(case):
    problems = []
    inputs = {kind: base64.b64decode(data) for kind, data in case["inputs"].items()}
    input_errors = {kind: cpython_error(data) for kind, data in inputs.items()}
    invalid = {kind: line for kind, line in input_errors.items() if line is not None}
    outcome = case["outcome"]
    expected = case.get("expectedRefusal")

    if outcome["kind"] == "refused":
        kind, line = outcome["module"], outcome["line"]
        # A name the new code needs, imported only below its user: a refusal due in any case.
        if not invalid and late_binding_confirmed(kind, inputs[kind], line, outcome["message"], case):
            return problems
        if invalid:
            if kind not in invalid:
                problems.append(f"refused {kind}, but the invalid input is {sorted(invalid)}")
            elif line != invalid[kind]:
                problems.append(f"refused {kind} at line {line}, CPython rejects it at line {invalid[kind]}")
        elif expected is None:
            if not late_binding_confirmed(kind, inputs[kind], line, outcome["message"], case):
                problems.append(f"refused valid input: {outcome['message']}")
        elif (kind, line) != (expected["module"], expected["line"]):
            problems.append(f"refused {kind}:{line}, expected {expected['module']}:{expected['line']} ({outcome['message']})")
        return problems

    if outcome["kind"] == "crashed":
        return [f"crashed: {outcome['message']}"]

    if invalid:
        return [f"edited although CPython rejects {kind} at line {line}" for kind, line in invalid.items()]
    if expected is not None:
        problems.append(f"edited although {expected['module']}:{expected['line']} should be refused")

    outputs = {kind: base64.b64decode(data) for kind, data in outcome["outputs"].items()}
    for kind, before in inputs.items():
        after = outputs.get(kind, before)
        error = cpython_error(after)
        if error is not None:
            problems.append(f"{kind}: output is not valid Python (line {error})")
            continue
        if not is_subsequence(before, after):
            problems.append(f"{kind}: input bytes lost or reordered")
        tree = ast.parse(after)
        problems.extend(f"{kind}: {problem}" for problem in presence_problems(kind, tree, case))
        name = MODULE_NAMES[kind].format(pkg=case["package"])
        if executes(before, name) is None:
            failure = executes(after, name)
            if failure is not None:
                problems.append(f"{kind}: imported before the edit, fails after it: {failure}")
    if outcome.get("rerunChanged"):
        problems.append(f"a second run changed {outcome['rerunChanged']}")
    if outcome.get("removalDiffers"):
        problems.append(f"removing the feature gave modules that wiring does not turn back into the output: {outcome['removalDiffers']}")
    return problems


def main():
    for line in sys.stdin:
        case = json.loads(line)
        try:
            answer = judge_case(case)
        except Exception as error:  # noqa: BLE001 - the oracle must answer every case
            answer = [f"oracle error: {type(error).__name__}: {error}"]
        sys.stdout.write(json.dumps(answer) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
