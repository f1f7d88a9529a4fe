#!/usr/bin/env python3
"""Pause (or resume) every schedule and sensor of a Dagster deployment, or of chosen code locations.

Schedules and sensors are declared RUNNING in code; an explicit stop is stored in the instance (PostgreSQL) and
survives redeploys until someone starts them again in the UI or with --resume. Used after a staging deploy, so
staging does not pull from Square or rebuild the marts until an engineer starts what they are testing, and by
the deployment test to keep its stack quiet.

Standard library only, so it runs anywhere Python does, including inside the webserver pod:
    kubectl exec -i deploy/dagster-dagster-webserver -- python - --url http://localhost:80 < deploy/pause_automation.py
    python deploy/pause_automation.py --url http://127.0.0.1:3000 --location square_sales
"""

from __future__ import annotations

import argparse
import json
import sys
import urllib.request

INSTIGATORS = """
{ workspaceOrError { __typename ... on Workspace { locationEntries { name locationOrLoadError {
    __typename ... on RepositoryLocation { repositories {
      sensors { name sensorState { id status } }
      schedules { name scheduleState { id status } } } } } } } } }
"""
STOP_SENSOR = "mutation($id: String) { stopSensor(id: $id) { __typename ... on PythonError { message } } }"
STOP_SCHEDULE = (
    "mutation($id: String) { stopRunningSchedule(id: $id) { __typename ... on PythonError { message } } }"
)
START_SENSOR = """mutation($s: SensorSelector!) { startSensor(sensorSelector: $s) {
    __typename ... on PythonError { message } } }"""
START_SCHEDULE = """mutation($s: ScheduleSelector!) { startSchedule(scheduleSelector: $s) {
    __typename ... on PythonError { message } } }"""


def graphql(url: str, query: str, variables: dict | None = None) -> dict:
    request = urllib.request.Request(
        f"{url.rstrip('/')}/graphql",
        data=json.dumps({"query": query, "variables": variables or {}}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        body = json.load(response)
    if body.get("errors"):
        raise RuntimeError(f"GraphQL errors: {body['errors']}")
    return body["data"]


def instigators(url: str, locations: set[str] | None):
    """(kind, location, repository, name, state) for every schedule and sensor in the chosen locations."""
    workspace = graphql(url, INSTIGATORS)["workspaceOrError"]
    if workspace["__typename"] != "Workspace":
        raise RuntimeError(f"cannot read the workspace: {workspace}")
    for entry in workspace["locationEntries"]:
        if locations and entry["name"] not in locations:
            continue
        location = entry["locationOrLoadError"] or {}
        if location.get("__typename") != "RepositoryLocation":
            raise RuntimeError(f"code location {entry['name']} is not loaded: {location}")
        for repository in location["repositories"]:
            for sensor in repository["sensors"]:
                yield "sensor", entry["name"], sensor["name"], sensor["sensorState"]
            for schedule in repository["schedules"]:
                yield "schedule", entry["name"], schedule["name"], schedule["scheduleState"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", required=True, help="webserver base URL (not the read-only one)")
    parser.add_argument("--location", action="append", help="only this code location (repeatable)")
    parser.add_argument("--resume", action="store_true", help="start them instead of stopping them")
    args = parser.parse_args(argv)
    wanted = "STOPPED" if args.resume else "RUNNING"
    changed = 0
    for kind, location, name, state in list(instigators(args.url, set(args.location or []) or None)):
        if state["status"] != wanted:
            continue
        if args.resume:
            selector_key = "sensorName" if kind == "sensor" else "scheduleName"
            selector = {
                "repositoryLocationName": location,
                "repositoryName": "__repository__",
                selector_key: name,
            }
            query = START_SENSOR if kind == "sensor" else START_SCHEDULE
            result = next(iter(graphql(args.url, query, {"s": selector}).values()))
        else:
            query = STOP_SENSOR if kind == "sensor" else STOP_SCHEDULE
            result = next(iter(graphql(args.url, query, {"id": state["id"]}).values()))
        if result["__typename"] == "PythonError":
            raise RuntimeError(f"{kind} {location}/{name}: {result['message']}")
        print(f"{'started' if args.resume else 'stopped'} {kind} {location}/{name}")
        changed += 1
    print(f"{changed} schedule(s)/sensor(s) {'started' if args.resume else 'stopped'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
