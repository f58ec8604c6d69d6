"""A customer chats through the real widget in Chromium; the agent answers from the inbox API."""

import shutil

import pytest
from playwright.sync_api import expect, sync_playwright

from tests.support.http import Client, wait_until

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]


@pytest.fixture
def switchboard(start_embedded):
    return start_embedded()


@pytest.fixture
def page():
    assert shutil.which(CHROMIUM) or shutil.os.path.exists(CHROMIUM), \
        "Debian's chromium is needed (apt-get install chromium; .ci/run installs it)"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page()
        yield page
        browser.close()


def test_a_visitor_chats_in_the_widget_and_sees_the_agents_answer(switchboard, page):
    page.goto(f"{switchboard.url}/chat/demo")
    page.get_by_test_id("chat-input").fill("Do you ship to Norway?")
    page.get_by_test_id("chat-send").click()
    visitor_line = page.locator('[data-testid="chat-message"][data-direction="inbound"]')
    expect(visitor_line).to_contain_text("Do you ship to Norway?")

    agent = Client(switchboard.url).login("agent@switchboard.local", "switchboard-demo")
    mine = lambda: agent.get("/api/v1/conversations?assignee=me").json()["items"]  # noqa: E731
    assert wait_until(lambda: len(mine()) == 1)
    conversation_id = mine()[0]["id"]
    reply = agent.post(f"/api/v1/conversations/{conversation_id}/messages", json={"text": "Yes, in 3 days."})
    assert reply.status_code == 201

    agent_line = page.locator('[data-testid="chat-message"][data-direction="outbound"]')
    expect(agent_line).to_contain_text("Yes, in 3 days.", timeout=15_000)

    page.reload()
    expect(page.locator('[data-testid="chat-message"]')).to_have_count(2, timeout=15_000)
