"""The emulator's HTTP server: connections kept alive as ARM keeps them, dropped ones really dropped, clean stops."""

from __future__ import annotations

import socket
import threading

import pytest
import requests

from restorekit import emulator

from .conftest import API, AUTH, ITEM, SUB


def read_item(session: requests.Session, server) -> int:
    return session.get(f"{server.url}{ITEM}?api-version={API}", headers=AUTH, timeout=10).status_code


def test_one_connection_serves_many_requests(srv):
    before = srv.connections
    with requests.Session() as session:
        statuses = [read_item(session, srv) for _ in range(20)]
    assert statuses == [200] * 20
    assert srv.connections - before == 1


def test_an_answer_keeps_the_connection_open_and_a_client_may_close_it(srv):
    with socket.create_connection(("127.0.0.1", srv.port), timeout=10) as sock:
        request = (f"GET {ITEM}?api-version={API} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer t\r\n\r\n").encode()
        sock.sendall(request + request.replace(b"\r\n\r\n", b"\r\nConnection: close\r\n\r\n"))
        answers = b""
        while chunk := sock.recv(65536):  # the server closes after the second answer, as asked
            answers += chunk
    assert answers.count(b"HTTP/1.1 200 OK") == 2
    assert b"connection: close" not in answers.split(b"\r\n\r\n")[0].lower()


def test_a_dropped_connection_gets_no_answer_and_the_next_request_a_new_connection(srv):
    with requests.Session() as session:
        assert read_item(session, srv) == 200
        before = srv.connections
        srv.state.faults.drop_next(1, path_contains="protectedItems")
        with pytest.raises(requests.ConnectionError):
            read_item(session, srv)  # a GET on a kept connection: requests does not send it again
        assert read_item(session, srv) == 200
    assert srv.connections - before == 1


def test_concurrent_clients_each_keep_their_connection(srv):
    before = srv.connections
    results: list[list[int]] = []

    def client() -> None:
        with requests.Session() as session:
            results.append([read_item(session, srv) for _ in range(10)])

    threads = [threading.Thread(target=client) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert results == [[200] * 10] * 8
    assert srv.connections - before == 8


def test_stop_closes_kept_connections_and_the_listening_socket():
    server = emulator.start(throttle=False)
    session = requests.Session()
    assert session.get(f"{server.url}/subscriptions/{SUB}?api-version=2022-12-01", headers=AUTH).status_code == 200
    server.stop()
    server.stop()  # idempotent
    with pytest.raises(requests.ConnectionError):
        session.get(f"{server.url}/subscriptions/{SUB}?api-version=2022-12-01", headers=AUTH, timeout=5)
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", server.port), timeout=5)  # nothing listens there any more
    session.close()
