"""What a person sees: headless Chromium (Debian's) through Selenium, against real nginx +
authkit-fcgi + authkit-emulator in interactive mode, started by
Tests/IntegrationTests/BrowserFlowTests.swift.

Usage: browser_flow.py SITE_BASE ARTIFACT_DIR [--without api,eager]
  --without api: the site has no bearer-token API (the Apache examples);
  --without eager: the server does not run with WORKOS_EAGER_AUTH.
Saves a screenshot per step in ARTIFACT_DIR; prints one line per step; exits 1 at the first
failure (with a screenshot named FAILED-<step>.png and the page's text).
"""
import os
import sys
import time

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

BASE, ARTIFACTS = sys.argv[1], sys.argv[2]
WITHOUT = set(sys.argv[4].split(",")) if len(sys.argv) > 4 and sys.argv[3] == "--without" else set()
ACME, GLOBEX = "org_01EMULATEACME00000000000", "org_01EMULATEGLOBEX000000000"
os.makedirs(ARTIFACTS, exist_ok=True)

options = webdriver.ChromeOptions()
options.binary_location = "/usr/bin/chromium"
for flag in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1000,800",
             # Nothing but loopback: no update checks, no sync, and a dead proxy for anything else
             # (loopback is never proxied).
             "--no-first-run", "--disable-background-networking", "--disable-component-update",
             "--disable-sync", "--disable-default-apps", "--disable-domain-reliability",
             "--proxy-server=http://127.0.0.1:9"]:
    options.add_argument(flag)
driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
wait = WebDriverWait(driver, 20)
step_name = "start"


def step(name):
    global step_name
    step_name = name
    print("step", name, flush=True)


def shot(name):
    driver.save_screenshot(os.path.join(ARTIFACTS, name + ".png"))


def text(selector):
    return driver.find_element(By.CSS_SELECTOR, selector).text


def wait_text(selector, fragment):
    wait.until(EC.text_to_be_present_in_element((By.CSS_SELECTOR, selector), fragment))


def access_token():
    return driver.execute_async_script("var done = arguments[arguments.length - 1];"
                                       "AuthKit.getAccessToken().then(done, function (e) { done('error: ' + e); });")


def continue_as(first_name):
    wait.until(EC.element_to_be_clickable((By.XPATH, f"//button[normalize-space()='Continue as {first_name}']"))).click()


try:
    step("a protected page sends the browser to sign in")
    driver.get(BASE + "/protected/app.html")
    wait.until(EC.url_contains("/user_management/authorize"))
    assert "Continue as Ada" in driver.find_element(By.TAG_NAME, "body").text
    shot("01-sign-in-page")

    step("picking a user lands back on the page, rendered by authkit.js")
    continue_as("Ada")
    wait.until(EC.url_to_be(BASE + "/protected/app.html"))
    wait_text("#greeting", "Hello, Ada Lovelace")
    assert f"ada@example.com · organization {ACME} · role admin" in text("#details"), text("#details")
    assert not driver.find_elements(By.CSS_SELECTOR, "[data-authkit-impersonation]")
    shot("02-signed-in")

    first = access_token()
    assert first.count(".") == 2, first
    if "eager" not in WITHOUT:
        step("the eager-auth cookie was used once and deleted")
        assert "workos-access-token" not in driver.execute_script("return document.cookie"), "eager-auth cookie left behind"
        fetched = driver.execute_script(
            "return performance.getEntriesByType('resource').map(function (e) { return new URL(e.name).pathname; })")
        assert "/auth/token" not in fetched, f"the token was fetched although the page brought one: {fetched}"

    step("the access token is refreshed without a reload")
    driver.execute_script("window.__sameDocument = true;")
    deadline = time.time() + 60
    second = first
    while second == first and time.time() < deadline:
        time.sleep(2)
        second = access_token()
    assert second != first and second.count(".") == 2, "the token did not change within 60 s"
    assert driver.execute_script("return window.__sameDocument === true"), "the page was reloaded"
    shot("03-token-refreshed")

    if "api" not in WITHOUT:
        step("the API answers the bearer token")
        assert not driver.find_element(By.ID, "api-result").is_displayed(), "an empty answer box before the first call"
        driver.find_element(By.ID, "call-api").click()
        wait_text("#api-result", "user_id=user_01EMULATEADMIN0000000000")
        shot("04-api-called")

    step("switching organization")
    driver.find_element(By.ID, "organization").send_keys(GLOBEX)
    driver.find_element(By.CSS_SELECTOR, "#switch-organization button").click()
    wait_text("#details", f"organization {GLOBEX}")
    wait_text("#switch-result", f"Switched to {GLOBEX}")
    assert "role member" in text("#details"), text("#details")
    if "api" not in WITHOUT:
        assert not driver.find_element(By.ID, "api-result").is_displayed(), "the previous organization's API answer is still shown"
    shot("05-organization-switched")

    step("signing out")
    driver.find_element(By.ID, "sign-out").click()
    wait.until(EC.url_to_be(BASE + "/"))
    assert driver.get_cookie("wos-session") is None
    shot("06-signed-out")

    step("the page cannot be reached any more")
    driver.get(BASE + "/protected/app.html")
    wait.until(EC.url_contains("/user_management/authorize"))
    shot("07-protected-again")

    step("an impersonated session shows the banner")
    continue_as("Margaret")
    wait.until(EC.url_to_be(BASE + "/protected/app.html"))
    wait_text("#greeting", "Hello, Margaret Hamilton")
    banner = wait.until(EC.visibility_of_element_located((By.CSS_SELECTOR, "[data-authkit-impersonation]")))
    assert "You are impersonating margaret@example.com" in banner.text, banner.text
    assert "support@example.com" in banner.text, banner.text
    shot("08-impersonation-banner")

    step("the banner's button ends the impersonated session")
    banner.find_element(By.TAG_NAME, "button").click()
    wait.until(EC.url_to_be(BASE + "/"))
    assert driver.get_cookie("wos-session") is None
    shot("09-impersonation-stopped")
    print("ok", flush=True)
except Exception as error:  # report the step and what the page showed
    shot("FAILED-" + step_name.replace(" ", "-"))
    print(f"FAILED at step '{step_name}': {type(error).__name__}: {error}", flush=True)
    print("URL:", driver.current_url, flush=True)
    print("page text:", driver.find_element(By.TAG_NAME, "body").text[:2000], flush=True)
    sys.exit(1)
finally:
    driver.quit()
