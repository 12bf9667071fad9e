"""The workbench in a real browser (Chromium through chromedriver and Selenium): an investigator
signs in, closes one case as a false positive and decides to file a SAR on another; an approver
approves it; the next SAR export files exactly the approved cases with their narratives. A
finance clerk asks to write off a break above the approval amount and a controller approves it;
the next reconciliation shows it written off with the decision's id. Each role sees only its own
queue. Screenshots of the queues, a case page and a break page go to $PAYLAKE_SCREENSHOT_DIR
(default target/screenshots)."""

import json
import os
import shutil
import socket
import subprocess
import time
import urllib.request
from xml.etree import ElementTree
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import Select, WebDriverWait

from conftest import PAYLAKE, paylake_sql

INVESTIGATOR = ("ines.test", "ines-password-2026")
APPROVER = ("omar.test", "omar-password-2026")
CLERK = ("sofia.test", "sofia-password-2026")
CONTROLLER = ("daniel.test", "daniel-password-2026")
NARRATIVE = (
    "Ines Test reviewed the customer's transfers: funds arrived from unrelated senders and "
    "left the same day for an exchange account; the customer gave no explanation."
)


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def paylake(*args, env=None):
    return subprocess.run(
        [PAYLAKE, *args],
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
    ).stdout


def cases(lake):
    return json.loads(paylake("case", "list", "--lake", str(lake), "--format", "json"))


@pytest.fixture(scope="module")
def workbench(demo_lake, tmp_path_factory):
    """A copy of the demo lake with two people, served on a free port."""
    lake = tmp_path_factory.mktemp("workbench") / "lake"
    shutil.copytree(demo_lake, lake)
    for (name, password), role in (
        (INVESTIGATOR, "investigator"),
        (APPROVER, "approver"),
        (CLERK, "finance"),
        (CONTROLLER, "finance_controller"),
    ):
        paylake("user", "add", "--lake", str(lake), name, "--role", role,
                env={"PAYLAKE_NEW_PASSWORD": password})
    port = free_port()
    server = subprocess.Popen(
        [PAYLAKE, "serve", "--lake", str(lake), "--listen", f"127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(f"{url}/login", timeout=1)
            break
        except OSError:
            time.sleep(0.2)
    yield lake, url
    server.terminate()
    server.wait(timeout=10)


@pytest.fixture(scope="module")
def browser():
    options = Options()
    options.binary_location = "/usr/bin/chromium"
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1400,1800"):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    yield driver
    driver.quit()


def wait_for_next_page(browser, element):
    """Waits until the page that held `element` is replaced and the next one has loaded. While
    Chromium navigates, asking about the old element fails either as stale or as a node that
    no longer belongs to the document: both mean it is gone."""

    def replaced(driver):
        try:
            element.is_enabled()
            return False
        except WebDriverException:
            return driver.execute_script("return document.readyState") == "complete"

    WebDriverWait(browser, 20).until(replaced)


def sign_in(browser, url, user, password):
    browser.get(f"{url}/login")
    browser.find_element(By.ID, "user").send_keys(user)
    browser.find_element(By.ID, "password").send_keys(password)
    button = browser.find_element(By.ID, "sign-in-button")
    button.click()
    wait_for_next_page(browser, button)


def sign_out(browser):
    button = browser.find_element(By.ID, "sign-out")
    button.click()
    wait_for_next_page(browser, button)


def state_of(browser):
    return browser.find_element(By.ID, "state").text


def act(browser, action, **fields):
    """Fills and submits the form of `action` on the case page shown."""
    form = browser.find_element(By.ID, f"action-{action}")
    for field, value in fields.items():
        element = form.find_element(By.ID, field)
        if element.tag_name == "select":
            Select(element).select_by_value(value)
        else:
            element.clear()
            element.send_keys(value)
    form.find_element(By.ID, f"do-{action}").click()
    # The next page replaces this one (a redirect to the case, or why the action was refused).
    wait_for_next_page(browser, form)


def screenshot_dir():
    folder = Path(os.environ.get("PAYLAKE_SCREENSHOT_DIR", "target/screenshots"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def test_a_case_is_worked_from_new_to_filed_in_the_browser(workbench, browser):
    lake, url = workbench
    # A wrong password is refused, and repeated ones are answered ever more slowly.
    timings = []
    for _ in range(6):
        started = time.monotonic()
        sign_in(browser, url, INVESTIGATOR[0], "not-the-password")
        timings.append(time.monotonic() - started)
        assert "wrong user name or password" in browser.find_element(By.ID, "error").text
    # The sixth answer waits 2 s more than the second (250 ms, doubling from the third).
    assert timings[5] > timings[1] + 1.0, timings

    sign_in(browser, url, *INVESTIGATOR)
    rows = browser.find_elements(By.CSS_SELECTOR, "#queue tr[data-case]")
    new_cases = [row.get_attribute("data-case") for row in rows if row.get_attribute("data-state") == "new"]
    assert len(new_cases) >= 2, "the demo leaves new cases in the queue"
    browser.save_screenshot(str(screenshot_dir() / "workbench-queue.png"))
    # Filtered by state, the queue shows only those.
    browser.get(f"{url}/?state=returned")
    shown = {row.get_attribute("data-state") for row in browser.find_elements(By.CSS_SELECTOR, "#queue tr[data-case]")}
    assert shown == {"returned"}, shown

    false_positive, suspicious = new_cases[:2]
    browser.get(f"{url}/cases/{false_positive}")
    act(browser, "assign")
    act(browser, "start")
    # An empty rationale is refused and changes nothing.
    act(browser, "close", outcome="false_positive")
    assert "rationale: is required" in browser.find_element(By.ID, "error").text
    browser.get(f"{url}/cases/{false_positive}")
    assert state_of(browser) == "investigating"
    act(browser, "close", outcome="false_positive", **{"close-rationale": "Monthly payroll, as in the last year."})
    assert state_of(browser) == "closed"

    browser.get(f"{url}/cases/{suspicious}")
    act(browser, "assign")
    act(browser, "start")
    # A form whose CSRF token was tampered with is refused.
    browser.execute_script(
        "document.querySelector('#action-escalate input[name=csrf]').value = 'forged'"
    )
    act(browser, "escalate", **{"escalate-rationale": "funds passed on within the day"})
    assert "CSRF" in browser.find_element(By.ID, "error").text
    browser.get(f"{url}/cases/{suspicious}")
    act(browser, "escalate", **{"escalate-rationale": "funds passed on within the day"})
    act(browser, "decide", **{"decision-choice": "file", "decision-text": NARRATIVE})
    assert state_of(browser) == "pending_approval"
    # The investigator cannot approve: no form is offered, and a forged one is refused.
    assert not browser.find_elements(By.ID, "action-approve")
    browser.execute_script(
        "const form = document.querySelector('form.action') || document.createElement('form');"
        "const copy = document.createElement('form'); copy.method = 'post';"
        "copy.action = window.location.pathname;"
        "copy.innerHTML = `<input name=csrf value='${document.querySelector('input[name=csrf]').value}'>"
        "<input name=action value=approve><input name=expected_state value=pending_approval>`;"
        "document.body.appendChild(copy); copy.submit();"
    )
    WebDriverWait(browser, 20).until(expected_conditions.presence_of_element_located((By.ID, "error")))
    assert "may not 'approve'" in browser.find_element(By.ID, "error").text
    browser.get(f"{url}/cases/{suspicious}")
    browser.save_screenshot(str(screenshot_dir() / "workbench-case.png"))
    sign_out(browser)

    sign_in(browser, url, *APPROVER)
    browser.get(f"{url}/approvals")
    waiting = [row.get_attribute("data-case") for row in browser.find_elements(By.CSS_SELECTOR, "#queue tr[data-case]")]
    assert suspicious in waiting
    browser.get(f"{url}/cases/{suspicious}")
    act(browser, "approve")
    assert state_of(browser) == "approved"
    sign_out(browser)

    # The next SAR export files exactly the approved cases, each with its narrative.
    approved = {case["case_id"] for case in cases(lake) if case["decision"] == "file" and case["approved_by"]}
    assert suspicious in approved
    out = lake.parent / "exports"
    paylake("export", "--lake", str(lake), "--kind", "fincen-sar", "--from", "2026-03-02",
            "--to", "2026-03-04", "--out", str(out), "--filing-date", "2026-03-05")
    package = out / "fincen-sar_2026-03-02_2026-03-04"
    manifest = json.loads((package / "manifest.json").read_text())
    assert {record["record_key"] for record in manifest["records"]} == approved
    batch = next(package.glob("SARX_*.xml")).read_text()
    narratives = [
        element.text or ""
        for element in ElementTree.fromstring(batch).iter()
        if element.tag.endswith("ActivityNarrativeText")
    ]
    assert NARRATIVE in narratives, narratives
    assert not any("[Investigator" in text for text in narratives)
    filed = {case["case_id"]: case for case in cases(lake)}
    assert filed[suspicious]["state"] == "filed"
    assert filed[false_positive]["state"] == "closed"
    assert filed[false_positive]["close_outcome"] == "false_positive"


def test_finance_works_its_breaks_and_a_large_write_off_needs_a_second_person(workbench, browser):
    lake, url = workbench
    # Compliance sees no breaks.
    sign_in(browser, url, *INVESTIGATOR)
    assert not browser.find_elements(By.ID, "nav-breaks")
    browser.get(f"{url}/breaks")
    assert "works no reconciliation breaks" in browser.find_element(By.ID, "error").text
    sign_out(browser)

    # Finance lands on its own queue and sees no cases.
    sign_in(browser, url, *CLERK)
    assert browser.current_url.endswith("/breaks"), browser.current_url
    assert not browser.find_elements(By.ID, "nav-queue")
    rows = browser.find_elements(By.CSS_SELECTOR, "#breaks tr[data-break]")
    assert rows, "the demo leaves an open break"
    browser.save_screenshot(str(screenshot_dir() / "workbench-breaks.png"))
    browser.get(f"{url}/?state=all")
    assert browser.current_url.endswith("/breaks"), browser.current_url
    browser.get(f"{url}/approvals")
    assert "sees no cases" in browser.find_element(By.ID, "error").text

    listed = json.loads(paylake("break", "list", "--lake", str(lake), "--format", "json"))
    large = next(item for item in listed if item["state"] == "open" and float(item["amount_usd"]) > 100)
    break_id = large["break_id"]
    browser.get(f"{url}/breaks/{break_id}")
    act(browser, "assign")
    # A write-off without a reason is refused and writes nothing.
    act(browser, "write_off")
    assert "note: is required" in browser.find_element(By.ID, "error").text
    browser.get(f"{url}/breaks/{break_id}")
    assert state_of(browser) == "assigned"
    act(browser, "write_off", **{"write-off-note": "Customer refunded directly; nothing to recover."})
    assert state_of(browser) == "pending_write_off"
    # Their own write-off is not theirs to approve: the role offers no approval at all.
    assert not browser.find_elements(By.ID, "action-approve")
    browser.save_screenshot(str(screenshot_dir() / "workbench-break.png"))
    sign_out(browser)

    sign_in(browser, url, *CONTROLLER)
    browser.get(f"{url}/breaks?state=pending_write_off")
    waiting = [row.get_attribute("data-break") for row in browser.find_elements(By.CSS_SELECTOR, "#breaks tr[data-break]")]
    assert waiting == [break_id], waiting
    browser.get(f"{url}/breaks/{break_id}")
    act(browser, "approve")
    assert state_of(browser) == "written_off"
    sign_out(browser)

    # The next reconciliation of that date shows the write-off with the decision's id.
    business_date = large["business_date"]
    paylake("run", "--lake", str(lake), "--date", business_date, "--select", "reconciliation")
    rows = paylake_sql(
        lake,
        f"SELECT status, decision_id FROM gold.recon_breaks WHERE break_id = '{break_id}' "
        f"AND business_date = DATE '{business_date}'",
    )
    assert rows == [{"status": "written_off", "decision_id": f"BRK-{break_id}-E0003"}], rows


def test_a_case_page_draws_how_the_money_of_its_transfers_moved(workbench, browser):
    lake, url = workbench
    transfer_alerts = paylake_sql(
        lake,
        "SELECT DISTINCT a.customer_id FROM gold.aml_alerts AS a "
        "JOIN silver.transactions AS t ON array_has(a.transaction_ids, t.transaction_id) "
        "WHERE t.counterparty_account_id IS NOT NULL",
    )
    customers = {row["customer_id"] for row in transfer_alerts}
    assert customers, "the demo raises alerts on transfers"
    case_id = next(case["case_id"] for case in cases(lake) if case["customer_id"] in customers)
    sign_in(browser, url, *INVESTIGATOR)
    browser.get(f"{url}/cases/{case_id}")
    drawing = browser.find_element(By.CSS_SELECTOR, "#money-flow svg.flow")
    accounts = drawing.find_elements(By.TAG_NAME, "circle")
    arrows = drawing.find_elements(By.TAG_NAME, "line")
    assert len(accounts) >= 2 and arrows, (len(accounts), len(arrows))
    # The customer's own accounts are highlighted.
    assert any(circle.get_attribute("fill") == "#f6c343" for circle in accounts)
    browser.save_screenshot(str(screenshot_dir() / "workbench-money-flow.png"))
    sign_out(browser)


def test_an_approver_suppresses_a_rule_in_the_browser_and_an_investigator_may_not(workbench, browser):
    lake, url = workbench
    # Investigators decide no suppressions: no link, and the page refuses them.
    sign_in(browser, url, *INVESTIGATOR)
    assert not browser.find_elements(By.ID, "nav-suppressions")
    browser.get(f"{url}/suppressions")
    assert "decides no suppressions" in browser.find_element(By.ID, "error").text
    sign_out(browser)

    alert = paylake_sql(
        lake,
        "SELECT customer_id, rule_id, CAST(business_date AS VARCHAR) AS day FROM gold.aml_alerts "
        "WHERE rule_id <> 'sanctions_screening' AND customer_id IS NOT NULL ORDER BY alert_id LIMIT 1",
    )[0]
    fields = {
        "customer": alert["customer_id"],
        "rule": alert["rule_id"],
        "valid_from": alert["day"],
        "rationale": "Known payroll pattern, reviewed with the relationship manager.",
    }
    sign_in(browser, url, *APPROVER)
    browser.find_element(By.ID, "nav-suppressions").click()
    # Longer than 180 days is refused and writes nothing.
    act(browser, "suppress", days="200", **fields)
    assert "from 1 to 180 days" in browser.find_element(By.ID, "error").text
    browser.get(f"{url}/suppressions")
    assert not browser.find_elements(By.CSS_SELECTOR, "#suppressions tr[data-decision]")
    act(browser, "suppress", days="30", **fields)
    rows = browser.find_elements(By.CSS_SELECTOR, "#suppressions tr[data-decision]")
    assert [row.get_attribute("data-state") for row in rows] == ["grant"]
    decision_id = rows[0].get_attribute("data-decision")
    browser.save_screenshot(str(screenshot_dir() / "workbench-suppressions.png"))
    act(browser, f"revoke-{decision_id}", **{f"revoke-rationale-{decision_id}": "The pattern changed."})
    rows = browser.find_elements(By.CSS_SELECTOR, "#suppressions tr[data-decision]")
    assert [row.get_attribute("data-state") for row in rows] == ["revoke"]
    sign_out(browser)

    # Both decisions are on record, with who took them, in which role, and why.
    events = paylake_sql(
        lake,
        "SELECT decision_id, action, actor, role, customer_id, rule_id, "
        "CAST(valid_from AS VARCHAR) AS valid_from, CAST(expires_on AS VARCHAR) AS expires_on "
        "FROM decisions.suppression_events ORDER BY sequence",
    )
    assert [(event["action"], event["actor"], event["role"]) for event in events] == [
        ("grant", APPROVER[0], "approver"),
        ("revoke", APPROVER[0], "approver"),
    ], events
    assert events[0]["customer_id"] == alert["customer_id"] and events[0]["rule_id"] == alert["rule_id"]
    assert events[0]["valid_from"] == alert["day"]
    # Each look at the page is audited like a query of the decisions it shows.
    looks = paylake_sql(
        lake,
        "SELECT user_name, outcome, array_to_string(tables_read, ';') AS tables FROM system.query_audit "
        "WHERE query_text = 'workbench: suppressions page'",
    )
    assert looks and all(
        look == {"user_name": APPROVER[0], "outcome": "ran", "tables": "decisions.suppression_events"}
        for look in looks
    ), looks
