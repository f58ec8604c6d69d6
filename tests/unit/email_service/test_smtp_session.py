"""MAIL FROM / RCPT TO paths read cheaply give exactly what aiosmtpd's stdlib-based parsing gives."""

from email._header_value_parser import get_addr_spec, get_angle_addr

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.email.smtp_session import read_plain_path


def _aiosmtpd_reads(arg: str) -> tuple[str, str]:
    """What aiosmtpd's own `SMTP._getaddr` returns for a path the stdlib can parse."""
    address, rest = (get_angle_addr if arg.lstrip().startswith("<") else get_addr_spec)(arg)
    return address.addr_spec, rest


_PATHS = st.builds(
    lambda lead, address, gap, params: f"{lead}<{address}>{gap}{params}",
    st.sampled_from(["", " ", "\t"]),
    st.sampled_from(["ana@example.com", "Ana.Lima+x@Mail.Example.COM", "a@b", "o'brien@x.ie", "a..b@x.io",
                     '"a b"@x.io', "a@[1.2.3.4]", "ü@x.io", "", "a@x_y.io", "@route:a@x.io"]),
    st.sampled_from(["", " ", "  ", "\t"]),
    st.sampled_from(["", "SIZE=1234", "SIZE=5 BODY=8BITMIME", "BODY=8BITMIME ", "(comment) SIZE=1", "SMTPUTF8"]),
)


@settings(max_examples=500, deadline=None, derandomize=True, database=None)
@given(_PATHS)
def test_a_plain_path_reads_as_aiosmtpd_reads_it_and_any_other_is_left_to_aiosmtpd(arg):
    plain = read_plain_path(arg)
    if plain is not None:
        assert plain == _aiosmtpd_reads(arg)


@pytest.mark.parametrize("arg", ["<ana@example.com>", "<ana@example.com> SIZE=1234 BODY=8BITMIME", " <A.B@C-D.E>"])
def test_plain_paths_are_read_without_the_stdlib(arg):
    assert read_plain_path(arg) == _aiosmtpd_reads(arg)


@pytest.mark.parametrize("arg", ["<>", "ana@example.com", '<"a b"@x.io>', "<ü@x.io>", "<a@x.io> (comment)",
                                 "<@route:a@x.io>"])
def test_null_bare_quoted_and_unusual_paths_are_left_to_aiosmtpd(arg):
    assert read_plain_path(arg) is None
