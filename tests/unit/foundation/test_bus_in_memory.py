"""The messaging behaviour suite on the embedded in-memory broker."""

import pytest

from tests.support.bus_contract import BEHAVIOURS


@pytest.mark.parametrize("behaviour", BEHAVIOURS, ids=lambda b: b.__name__.removeprefix("check_"))
def test_messaging_behaves_the_same_in_memory(bus, behaviour):
    behaviour(bus)
