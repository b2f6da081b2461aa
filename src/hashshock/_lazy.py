"""Packages whose public names load on first use (PEP 562).

A package ``__init__`` lists its public names and the module that defines each; the
modules load when a name is first looked up, so importing one light submodule (say a
constant the CLI needs for an option default) does not import the whole package.
"""

from __future__ import annotations

import sys
import types
from importlib import import_module

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing (see hashshock)
if TYPE_CHECKING:
    import inspect
    from collections.abc import Callable
    from typing import Any


def lazy_exports(
    package: str, namespace: dict[str, Any], names: dict[str, str]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """``__getattr__`` and ``__dir__`` for ``package``: ``names`` maps each public name to
    the module (relative to ``package`` when it starts with a dot) that defines it."""

    def __getattr__(name: str) -> Any:
        module = names.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(import_module(module, package), name)
        namespace[name] = value  # later lookups skip this function
        return value

    def __dir__() -> list[str]:
        # What the package offers — its lazy names, its __all__, its loaded submodules and
        # the module's dunders — not what its own code imported (Any, TYPE_CHECKING …).
        own = {
            name for name, value in namespace.items()
            if (name.startswith("__") and name.endswith("__"))
            or (isinstance(value, types.ModuleType) and not name.startswith("_")
                and value.__name__.startswith(package + "."))
        }  # fmt: skip
        return sorted(own | set(names) | set(namespace.get("__all__", ())))

    return __getattr__, __dir__


def make_callable(package: str, module: str, function: str) -> None:
    """Make ``package`` callable as ``module.function``, so that ``hashshock.sweep(spec)``
    works whether ``hashshock.sweep`` was reached as the package or as the function.

    ``inspect.signature`` gives the function's, and ``help`` shows the package's text
    followed by the function's signature and docstring (loaded only when asked for)."""

    def target() -> Callable[..., Any]:
        found: Callable[..., Any] = getattr(import_module(module), function)
        return found

    class CallablePackage(types.ModuleType):
        def __call__(self, *args: Any, **options: Any) -> Any:
            return target()(*args, **options)

        @property
        def __signature__(self) -> inspect.Signature:
            import inspect

            return inspect.signature(target())

        @property
        def __doc__(self) -> str:  # type: ignore[override]  # read before the module's own
            import inspect

            own = str(vars(self).get("__doc__") or "")
            called = target()
            text = inspect.getdoc(called) or ""
            short = package.rsplit(".", 1)[0]
            return (f"{own}\n\nCalled as a function:\n\n{short}.{function}"
                    f"{inspect.signature(called)}\n\n{text}")  # fmt: skip

    CallablePackage.__name__ = CallablePackage.__qualname__ = f"Callable{function.title()}"
    sys.modules[package].__class__ = CallablePackage
