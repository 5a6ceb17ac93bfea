"""Property tests: any builder input gives a spec-valid body or a ValidationError listing problems, nothing else."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_restore_bodies import assert_spec_valid, make_point, needs_specs

from restorekit.core.errors import ValidationError
from restorekit.restore.request.builders import SCENARIOS, RestoreRequestBuilder
from restorekit.restore.request.rules import Problem

SUB = "00000000-0000-0000-0000-000000000000"
junk = st.one_of(st.none(), st.text(max_size=12), st.integers(-5, 40), st.booleans(),
                 st.lists(st.one_of(st.integers(-2, 3), st.text(max_size=3)), max_size=3))


def either(*good):
    """Mostly plausible values (four times in five), sometimes anything."""
    return st.one_of(*[st.sampled_from(good)] * 4, junk)


GOOD = {
    "storage_account": either("stagingacct", "rg1/acct2", f"/subscriptions/{SUB}/resourceGroups/r/providers/"
                              "Microsoft.Storage/storageAccounts/acct3"),
    "region": either(None, None, None, "westus", "eastus", "West US"),
    "storage_account_properties": either(None, None, {"location": "westus", "sku": {"name": "Standard_LRS"}},
                                         {"location": "westus", "sku": {"name": "Premium_LRS"}, "kind": "StorageV2"},
                                         {"kind": "BlobStorage"}),
    "create_new_cloud_service": either(False, True),
    "original_storage_account_option": either(False, True),
    "encryption": either(None, None, False, True, {"kekUrl": "https://kv/keys/k"}, {"encryption_enabled": True}),
    "identity": either(None, None, "system", True, "idrg/ident1", "ident-2"),
    "identity_based_restore": either(False, True),
    "disk_network_access": either(None, None, "SameAsOnSourceDisks", "EnablePrivateAccessForAllDisks",
                                  "EnablePublicAccessForAllDisks"),
    "disk_access": either(None, None, "da1"),
    "resource_guard_operation_requests": either(None, [f"/subscriptions/{SUB}/resourceGroups/g/providers/"
                                                      "Microsoft.DataProtection/resourceGuards/x/op/default"]),
    "rehydration_priority": either(None, None, "Standard", "High", "high"),
    "rehydration_duration": st.one_of(either(None, None, 10, 15, 30, "P20D"),
                                      st.builds(lambda d: timedelta(days=d), st.integers(0, 40))),
    "extra": either(None, None, {"affinityGroup": ""}, {"targetDomainNameId": None}, {"bogus": 1}),
    "target_resource_group": either("targetRG", f"/subscriptions/{SUB}/resourceGroups/rg2", "bad rg."),
    "target_subscription": either(None, None, "11111111-1111-1111-1111-111111111111"),
    "zone": either(None, None, "1", "2", 3, ["1"]),
    "disk_encryption_set": either(None, None, "des1"),
    "secured_vm_disk_encryption_set": either(None, None, "des2"),
    "restore_with_managed_disks": either(None, None, True, False),
    "luns": either(None, None, [], [0], [-1, 1], [0, 0], [7]),
    "unmanaged": either(False, False, True),
    "target_vm_name": either("vm01", "web_01.prod", f"/subscriptions/{SUB}/resourceGroups/targetRG/providers/"
                             "Microsoft.Compute/virtualMachines/vm02"),
    "virtual_network": either("vnet1", "rg9/vnet2"),
    "subnet": either("default", "sub-1"),
}


@st.composite
def points(draw):
    tiers = draw(st.sampled_from([("snapshot", "vault"), ("vault",), ("archive",), ("vault", "archive"), (),
                                  ("snapshot", "vault")]))
    luns = draw(st.one_of(st.none(), st.lists(st.integers(-1, 4), max_size=4, unique=True)))
    return make_point(tiers=tiers, luns=luns, excluded=draw(st.sampled_from([None, [], [9]])) if luns else None,
                      zones=draw(st.sampled_from([None, [], ["1"], ["3"]])), encrypted=draw(st.booleans()),
                      managed=draw(st.sampled_from([True, False, None])),
                      region=draw(st.sampled_from(["primary"] * 4 + ["secondary"])),
                      vault_location=draw(st.sampled_from(["westus"] * 4 + [None])),
                      security=draw(st.sampled_from([None, "TrustedLaunch", "ConfidentialVM"])))


@st.composite
def builders(draw) -> RestoreRequestBuilder:
    cls = draw(st.sampled_from(list(SCENARIOS.values())))
    names = [f.name for f in cls.fields() if f.name not in cls.required]
    chosen = [f.name for f in cls.fields() if f.name in cls.required and f.name != "point"]
    chosen += draw(st.lists(st.sampled_from(names), unique=True, max_size=5))
    kwargs = {name: draw(GOOD[name]) for name in chosen}
    return cls(draw(points()), **kwargs)


def check_builder(builder: RestoreRequestBuilder) -> tuple[dict, list[Problem]]:
    """Everything a user can call works; validate() agrees with problems()."""
    body = builder.to_body()
    json.loads(builder.to_json())
    assert builder.to_curl() and builder.to_az_rest() and repr(builder) and builder._repr_html_()
    problems = builder.problems()
    assert all(isinstance(p, Problem) and p.field and p.message and p.fix for p in problems)
    if problems:
        with pytest.raises(ValidationError) as caught:
            builder.validate()
        assert caught.value.problems == problems
    else:
        assert builder.validate() is builder
    return body, problems


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(builders())
def test_any_input_gives_a_body_or_a_validation_error(builder):
    check_builder(builder)


@needs_specs
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(builders())
def test_a_body_that_passes_validation_is_spec_valid(builder):
    body, problems = check_builder(builder)
    if not problems:
        assert_spec_valid(body)


@st.composite
def plausible_new_vms(draw):
    """Valid inputs only: these must all pass validation and the schema."""
    cls = SCENARIOS["RestoreAsNewVM"]
    point = make_point(zones=draw(st.sampled_from([None, ["2"]])), luns=draw(st.sampled_from([None, [0, 1]])))
    return cls(point, storage_account=draw(st.from_regex(r"[a-z0-9]{3,24}", fullmatch=True)),
               target_vm_name=draw(st.from_regex(r"[A-Za-z0-9_]([A-Za-z0-9_.-]{0,20}[A-Za-z0-9_])?", fullmatch=True)),
               target_resource_group=draw(st.from_regex(r"[A-Za-z0-9_()-]{1,30}", fullmatch=True)),
               virtual_network=draw(st.from_regex(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,20}[A-Za-z0-9_]", fullmatch=True)),
               subnet=draw(st.from_regex(r"[A-Za-z0-9]([A-Za-z0-9_.-]{0,20}[A-Za-z0-9_])?", fullmatch=True)),
               identity=draw(st.sampled_from([None, "system"])))


@needs_specs
@settings(max_examples=100, deadline=None)
@given(plausible_new_vms())
def test_valid_inputs_pass_and_match_the_schema(builder):
    assert builder.problems() == []
    assert_spec_valid(builder.to_body())


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.text(max_size=8), junk, max_size=4), points())
def test_check_body_never_raises_on_hand_built_bodies(props, point):
    from restorekit.restore.request.rules import check_body

    problems = check_body({"properties": props}, point)
    assert problems and all(isinstance(p, Problem) for p in problems)
