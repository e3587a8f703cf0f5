"""Typed resources against the real server: objects, actions, pages, filters, uploads, exports, errors."""
from __future__ import annotations

import base64

import pytest

import fieldline
from fieldline import Fieldline

TINY_PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==")


def test_a_customer_is_created_read_and_updated_as_typed_objects(client: Fieldline, unique: str) -> None:
    created = client.customers.create(name="Ada Lovelace", company=unique, tags=["vip"])
    assert created["object"] == "customer" and created["id"].startswith("cus_")
    assert created["name"] == "Ada Lovelace" and created["tags"] == ["vip"]
    assert client.customers.get(created["id"]) == created
    updated = client.customers.update(created["id"], {"notes": "Prefers mornings"}, status="inactive")
    assert updated["notes"] == "Prefers mornings" and updated["status"] == "inactive" and updated["name"] == "Ada Lovelace"


def test_iterating_a_list_of_several_pages_yields_every_item_once_in_order(client: Fieldline, unique: str) -> None:
    ids = [client.customers.create(name=f"Page {i}", company=unique)["id"] for i in range(5)]
    page = client.customers.list(company=unique, sort="created_at", limit=2)
    assert [c["id"] for c in page.data] == ids[:2] and page.has_more and page.next_cursor
    assert [c["id"] for c in page] == ids
    assert [len(p.data) for p in page.pages()] == [2, 2, 1]
    counted = client.customers.list({"company": unique, "count": True, "limit": 1})
    assert counted.total == 5


def test_filters_with_operators_pass_through_params(client: Fieldline, unique: str) -> None:
    made = [client.customers.create(name=name, company=unique) for name in ("Alpha One", "Beta Two", "Alpha Three")]
    alphas = client.customers.list({"company": unique, "name[starts_with]": "Alpha"}, sort="created_at")
    assert [c["name"] for c in alphas] == ["Alpha One", "Alpha Three"]
    since = client.customers.list(params={"company": unique, "created_at[gte]": made[1]["created_at"], "sort": "created_at"})
    assert [c["id"] for c in since] == [made[1]["id"], made[2]["id"]]
    either = client.customers.list({"company": unique, "id[in]": [made[0]["id"], made[2]["id"]]})
    assert sorted(c["id"] for c in either) == sorted([made[0]["id"], made[2]["id"]])


def test_a_job_is_scheduled_started_and_completed_through_its_actions(client: Fieldline, unique: str) -> None:
    customer = client.customers.create(name="Site", company=unique)
    job = client.jobs.create(title="Replace water heater", customer_id=customer["id"])
    assert job["status"] == "unscheduled"
    scheduled = client.jobs.schedule(job["id"], scheduled_start="2030-05-01T09:00:00Z", scheduled_end="2030-05-01T11:00:00Z")
    assert scheduled["status"] == "scheduled" and scheduled["scheduled_start"].startswith("2030-05-01T09:00")
    assert client.jobs.start(job["id"])["status"] == "in_progress"
    completed = client.jobs.complete(job["id"])
    assert completed["status"] == "completed"
    with pytest.raises(fieldline.ConflictError) as caught:
        client.jobs.start(job["id"])
    assert caught.value.code == "invalid_state_transition"


def test_a_photo_is_uploaded_as_multipart_and_downloaded_as_bytes(client: Fieldline, unique: str) -> None:
    customer = client.customers.create(name="Photo site", company=unique)
    job = client.jobs.create(title="Boiler", customer_id=customer["id"])
    photo = client.job_photos.upload(job["id"], files={"file": ("before.png", TINY_PNG, "image/png")}, caption="Before")
    assert photo["object"] == "job_photo" and photo["caption"] == "Before"
    assert client.job_photos.download(photo["id"]) == TINY_PNG


def test_an_export_is_csv_bytes_or_parsed_json(client: Fieldline, unique: str) -> None:
    client.customers.create(name="Exported", company=unique)
    csv = client.customers.export(format="csv", company=unique)
    assert isinstance(csv, bytes) and b"Exported" in csv and csv.splitlines()[0].startswith(b"id,")
    rows = client.customers.export(company=unique)
    assert [r["name"] for r in rows] == ["Exported"]


def test_top_level_operations_and_snake_case_namespaces(client: Fieldline) -> None:
    echoed = client.echo(hello="world")
    assert echoed["object"] == "echo" and echoed["body"] == {"hello": "world"}
    assert echoed["headers"]["idempotency-key"], "every POST carries an Idempotency-Key"
    assert client.rate_limit.get()["object"] == "rate_limit"


def test_a_missing_object_is_a_not_found_error_with_code_and_request_id(client: Fieldline) -> None:
    with pytest.raises(fieldline.NotFoundError) as caught:
        client.customers.get("cus_00000000000000000000000000")
    error = caught.value
    assert error.status == 404 and error.code == "not_found"
    assert error.request_id and error.request_id.startswith("req_") and error.request_id in str(error)
    assert error.problem["status"] == 404 and error.title


def test_an_invalid_body_is_a_validation_error_naming_the_field(client: Fieldline) -> None:
    with pytest.raises(fieldline.ValidationError) as caught:
        client.customers.create(name="Bad email", email="not-an-email")
    assert caught.value.status == 422 and caught.value.code == "validation_failed"
    assert [e["path"] for e in caught.value.errors] == ["email"]


def test_a_key_lacking_the_scope_gets_a_forbidden_error(base_url: str) -> None:
    from conftest import env
    read_only = Fieldline(api_key=env("FIELDLINE_READ_ONLY_KEY"), base_url=base_url)
    assert isinstance(read_only.customers.list(limit=1), fieldline.Page)
    with pytest.raises(fieldline.ForbiddenError) as caught:
        read_only.customers.create(name="Nope")
    assert caught.value.code == "insufficient_scope" and "write:customers" in (caught.value.detail or "")


def test_a_wrong_key_gets_an_authentication_error(base_url: str) -> None:
    with pytest.raises(fieldline.AuthenticationError) as caught:
        Fieldline(api_key="fl_test_wrong", base_url=base_url).customers.list()
    assert caught.value.status == 401 and caught.value.request_id


def test_the_event_stream_resumes_after_last_event_id_with_server_sent_events(client: Fieldline, unique: str) -> None:
    first = client.customers.create(name="Before the stream", company=unique)
    second = client.customers.create(name="Missed by the stream", company=unique)
    created = [e for e in client.events.list(type="customer.created", limit=10) if e["data"]["object"]["id"] in (first["id"], second["id"])]
    by_customer = {e["data"]["object"]["id"]: e for e in created}
    with client.events.stream(types="customer.created", last_event_id=by_customer[first["id"]]["id"]) as stream:
        event = next(iter(stream))
    assert event.event == "customer.created" and event.id == by_customer[second["id"]]["id"]
    assert event.json()["data"]["object"]["name"] == "Missed by the stream"
