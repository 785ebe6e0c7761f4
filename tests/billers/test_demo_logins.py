import sys
import types

from billfold.billers import demo_logins


def test_without_providers_there_are_no_logins(monkeypatch):
    monkeypatch.setattr(demo_logins, "PROVIDERS", ("tests.billers.no_such_module",))
    assert demo_logins.demo_logins() == []


def test_logins_of_each_provider_are_listed_in_order(monkeypatch):
    first = types.ModuleType("demo_provider_one")
    first.demo_sign_ins = lambda: [
        ("Summit holder", "summit-leasing: a@example.com / pw1")
    ]
    second = types.ModuleType("demo_provider_two")
    second.demo_sign_ins = lambda: [("Agent", "agent / pw2")]
    monkeypatch.setitem(sys.modules, "demo_provider_one", first)
    monkeypatch.setitem(sys.modules, "demo_provider_two", second)
    monkeypatch.setattr(
        demo_logins,
        "PROVIDERS",
        ("demo_provider_one", "missing_provider", "demo_provider_two"),
    )
    assert demo_logins.demo_logins() == [
        ("Summit holder", "summit-leasing: a@example.com / pw1"),
        ("Agent", "agent / pw2"),
    ]
