#!/usr/bin/python3
"""Loads an edge's live odds page in headless Chromium and checks what a customer sees.

Usage: live-page-check.py URL SCREENSHOT [TOKEN [ORIGIN_PID]]

Waits for the page's snapshot, then for a price change to arrive over the stream and be
highlighted; with a token, places a bet from the page and waits for its answer; with the
origin's pid, freezes the origin (SIGSTOP) until the page shows its prices as stale, then
thaws it (SIGCONT) and waits for the mark to go. Prints one JSON object with what it saw
and keeps a screenshot. Exit status 0 when everything was seen, 1 otherwise. Needs
Debian's chromium, chromium-driver and python3-selenium.
"""
import json
import os
import signal
import sys
import time

from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait


def main():
    url, screenshot = sys.argv[1], sys.argv[2]
    token = sys.argv[3] if len(sys.argv) > 3 else None
    origin_pid = int(sys.argv[4]) if len(sys.argv) > 4 else None
    options = Options()
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu",
                     "--disable-dev-shm-usage", "--window-size=1280,900"):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    seen = {"url": url}
    try:
        driver.get(url)
        wait = WebDriverWait(driver, 20, poll_frequency=0.05)
        wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, ".market .price"))
        seen["markets"] = len(driver.find_elements(By.CSS_SELECTOR, ".market"))
        seen["status"] = driver.find_element(By.ID, "status").text
        # A price change arrives, and the price that moved is highlighted.
        wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, ".price.up, .price.down"))
        seen["changes"] = int(driver.find_element(By.ID, "changes").text)
        seen["highlighted"] = len(driver.find_elements(By.CSS_SELECTOR, ".price.up, .price.down"))
        seen["lastEventId"] = driver.find_element(By.ID, "last-id").text
        if token:
            driver.find_element(By.ID, "token").send_keys(token)
            driver.find_element(By.CSS_SELECTOR, "#login button").click()
            # Prices re-render as they move: click one in the page, not a stale handle.
            driver.execute_script("document.querySelector('.market.open .price').click()")
            stake = driver.find_element(By.ID, "stake")
            stake.clear()
            stake.send_keys("2.50")
            driver.find_element(By.ID, "place").click()
            wait.until(lambda d: d.find_element(By.ID, "result").text.startswith(
                ("accepted", "rejected")))
            seen["bet"] = driver.find_element(By.ID, "result").text
        time.sleep(0.2)  # let the highlight paint before the screenshot
        driver.save_screenshot(screenshot)
        seen["screenshot"] = screenshot
        if origin_pid:
            os.kill(origin_pid, signal.SIGSTOP)
            try:
                wait.until(lambda d: d.find_element(By.ID, "stale").is_displayed())
                seen["staleShown"] = driver.find_element(By.ID, "stale").text
            finally:
                os.kill(origin_pid, signal.SIGCONT)
            wait.until(lambda d: not d.find_element(By.ID, "stale").is_displayed())
            seen["staleCleared"] = True
        ok = seen["changes"] >= 1 and seen["highlighted"] >= 1 and (
            not token or seen.get("bet", "").startswith("accepted")) and (
            not origin_pid or seen.get("staleCleared", False))
    except Exception as error:  # report what was seen so far, with the reason
        seen["error"] = f"{type(error).__name__}: {error}".splitlines()[0]
        try:
            driver.save_screenshot(screenshot)
        except Exception:
            pass
        ok = False
    finally:
        driver.quit()
    print(json.dumps(seen))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
