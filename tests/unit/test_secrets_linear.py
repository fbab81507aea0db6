"""``redact()`` masks URL passwords in time linear in the text, whatever the text is."""

import time

import pytest

from shared import secrets

# Shapes that made the old URL-userinfo pattern rescan the rest of the text at every offset.
ADVERSARIAL = {
    "letters": lambda n: "a" * n,
    "scheme-run": lambda n: "a" * n + "://x:y",
    "password-no-at": lambda n: "a://x:" + "b" * n,
    "colons": lambda n: "a://" + ":" * n,
    "schemes": lambda n: "a://" * (n // 4),
    "userinfo": lambda n: "a://" + "x:y@" * (n // 4),
}


@pytest.mark.parametrize("shape", sorted(ADVERSARIAL))
def test_redact_is_linear_on_adversarial_text(shape: str) -> None:
    """1,000,000 adversarial characters redact within the 1 s CPU budget per entry."""
    text = ADVERSARIAL[shape](1_000_000)
    started = time.process_time()
    secrets.redact(text)
    assert time.process_time() - started < 1.0


def test_redact_still_masks_every_url_password_form() -> None:
    """Upper-case schemes, empty users and several URLs in one line are all masked."""
    line = ("redis://:hunter22@h:6379/0 then HTTPS://bob:pw-1@x.org/y, "
            "mailtos://me:s3cr3t@smtp.example.org?to=a@b.c and 9json://u:v@w")
    assert secrets.redact(line) == (
        "redis://:****@h:6379/0 then HTTPS://bob:****@x.org/y, "
        "mailtos://me:****@smtp.example.org?to=a@b.c and 9json://u:****@w")
