"""Launch a templated job on JobTemplateService from Airflow, wait for it, then read its metrics.

Airflow 2.x with apache-airflow-providers-http. Three tasks:

  launch   POST /v1/runs (HttpOperator, not deferrable). The Idempotency-Key is built from the
           DAG id, the DAG run id and the task id, so a retried task (a timeout, a worker lost
           mid-request) gets the same run back instead of launching a second one. Clearing the
           task within the service's key retention (24 h) also returns that run; trigger a new
           DAG run to launch again.
  wait     HttpSensor on GET /v1/runs/{run-id}/outcome: 200 = the run succeeded (done),
           202 = still running (poke again), 422 = it FAILED, was CANCELED or TIMED_OUT (the task
           fails at once with the problem's detail, which names each failed instance).
  metrics  GET /v1/metrics?user-run-id=... : one row per instance with its record counts, logged
           and returned (XCom).

The connection `job_template_service` points at the service and carries an API key with the
scopes launch,read as a header:

  airflow connections add job_template_service --conn-type http \
      --conn-host jobs.example.com --conn-schema https \
      --conn-extra '{"Authorization": "Bearer <api key>"}'

As written it launches the service's demo template (source-type csv -> target-type csv, keeping
one city's rows of a CSV file) for the cities in the DAG's `cities` parameter.
"""

from __future__ import annotations

from datetime import timedelta

import pendulum
from airflow import DAG
from airflow.exceptions import AirflowFailException
from airflow.models.param import Param
from airflow.providers.http.operators.http import HttpOperator
from airflow.providers.http.sensors.http import HttpSensor

CONNECTION_ID = "job_template_service"

# The user-run-id that ties the run and its metrics rows to this DAG run.
USER_RUN_ID = "{{ dag.dag_id }}/{{ run_id }}"

# The launch body, rendered by Jinja; tojson quotes every value safely.
LAUNCH_BODY = """{
  "user-id": "airflow",
  "user-run-id": {{ (dag.dag_id ~ "/" ~ run_id) | tojson }},
  "source-type": "csv",
  "target-type": "csv",
  "runtime-parameters": [
    {%- for city in params.cities %}
    {"CITY": {{ city | tojson }}{% if params.min_temperature_c is not none %}, "MIN_TEMPERATURE_C": {{ params.min_temperature_c | string | tojson }}{% endif %}}{{ "," if not loop.last }}
    {%- endfor %}
  ]
}"""


def run_id_of(response) -> str:
    """The launch answers 202 with the run; its id goes to XCom for the next tasks."""
    return response.json()["run-id"]


def outcome_reached(response) -> bool:
    """True once the run succeeded; False while it runs; fails the task when it ended badly."""
    if response.status_code == 200:
        return True
    if response.status_code == 202 or response.status_code >= 500:
        return False  # still running, or the service is briefly unavailable: poke again
    try:
        problem = response.json()
        detail = problem.get("detail") or problem.get("title")
    except ValueError:
        detail = response.text
    # AirflowFailException: no task retries, the run's outcome will not change.
    raise AirflowFailException(f"HTTP {response.status_code}: {detail}")


def summarize_metrics(response) -> list[dict]:
    rows = response.json()["metrics"]
    for row in rows:
        print(
            f"instance {row['instance-id']}: {row['final-state']}, input {row['input-record-count']}, "
            f"output {row['output-record-count']}, errors {row['error-record-count']}"
        )
    return rows


with DAG(
    dag_id="job_template_csv_filter",
    description="Launch the csv -> csv job template, wait for it, read its metrics",
    start_date=pendulum.datetime(2025, 1, 1, tz="UTC"),
    schedule=None,
    catchup=False,
    max_active_runs=4,
    tags=["job-template-service"],
    params={
        "cities": Param(["London", "Phoenix"], type="array", items={"type": "string"}, minItems=1),
        "min_temperature_c": Param(None, type=["null", "number"]),
    },
    default_args={"retries": 2, "retry_delay": timedelta(seconds=30)},
) as dag:
    launch = HttpOperator(
        task_id="launch",
        http_conn_id=CONNECTION_ID,
        method="POST",
        endpoint="/v1/runs",
        headers={
            "Content-Type": "application/json",
            "Idempotency-Key": "{{ dag.dag_id }}/{{ run_id }}/{{ task.task_id }}",
        },
        data=LAUNCH_BODY,
        response_filter=run_id_of,
        log_response=True,
        deferrable=False,
        extra_options={"timeout": 120},
    )

    wait = HttpSensor(
        task_id="wait",
        http_conn_id=CONNECTION_ID,
        method="GET",
        endpoint="/v1/runs/{{ ti.xcom_pull(task_ids='launch') }}/outcome",
        request_params={"wait": "30"},  # the service holds each request up to 30 s
        response_check=outcome_reached,
        extra_options={"check_response": False, "timeout": 90},
        mode="reschedule",
        poke_interval=30,
        timeout=int(timedelta(hours=4).total_seconds()),
        retries=0,
    )

    metrics = HttpOperator(
        task_id="metrics",
        http_conn_id=CONNECTION_ID,
        method="GET",
        endpoint="/v1/metrics",
        data={"user-run-id": USER_RUN_ID},
        headers={"Accept": "application/json"},
        response_filter=summarize_metrics,
        log_response=False,
        deferrable=False,
    )

    launch >> wait >> metrics

