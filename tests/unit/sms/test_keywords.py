import pytest

from services.sms.domain.keywords import Keyword, classify_keyword


@pytest.mark.parametrize("body", ["STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT"])
def test_every_carrier_opt_out_word_is_an_opt_out(body):
    assert classify_keyword(body) is Keyword.OPT_OUT


@pytest.mark.parametrize("body", ["START", "YES", "UNSTOP"])
def test_every_carrier_opt_in_word_is_an_opt_in(body):
    assert classify_keyword(body) is Keyword.OPT_IN


@pytest.mark.parametrize("body", ["HELP", "INFO"])
def test_help_and_info_ask_for_help(body):
    assert classify_keyword(body) is Keyword.HELP


@pytest.mark.parametrize("body", ["stop", "Stop", "  sToP \n", "\tquit\t", "STOP\u00a0"])
def test_case_and_surrounding_whitespace_do_not_matter(body):
    assert classify_keyword(body) is Keyword.OPT_OUT


@pytest.mark.parametrize(
    "body",
    [
        "please stop texting me",
        "STOP!",
        "STOP STOP",
        "stopp",
        "don't stop",
        "",
        "   ",
        "yes please",
        "\u017ftop",  # a long s upper-cases to S, but no carrier reads it as STOP
        "\uff33\uff34\uff2f\uff30",  # full-width STOP
    ],
)
def test_anything_but_the_whole_keyword_is_an_ordinary_message(body):
    assert classify_keyword(body) is None


def test_keywords_are_stored_as_readable_text():
    assert str(Keyword.OPT_OUT) == "opt_out"
