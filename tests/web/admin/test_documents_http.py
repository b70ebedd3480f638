"""Document import through /admin/documents and /admin/api/documents, on a real web app."""

from __future__ import annotations

import re

from kb.loader import load_knowledge
from tests.document_samples import INFO, POLICY
from tests.web.admin.conftest import csrf_of


def documents_of(admin_server):
    return load_knowledge(admin_server.workspace / "knowledge").knowledge.documents


def test_staff_import_view_replace_and_remove_a_document(admin_server) -> None:
    session = admin_server.login("editor1")
    url = admin_server.url + "/admin/documents"
    csrf = csrf_of(session, url)
    reply = session.post(url, data={"csrf_token": csrf, **INFO}, files={"file": (POLICY.name, POLICY.read_bytes())})
    assert reply.status_code == 200 and 'data-testid="document-imported"' in reply.text
    document_id = re.search(r'href="/admin/documents/(doc_\w+)"', reply.text).group(1)
    assert documents_of(admin_server)[document_id].issuer == "湘潭经开区管委会"
    detail = session.get(f"{url}/{document_id}")
    assert detail.status_code == 200 and "第二章 用地与厂房 › 第五条" in detail.text
    newer = POLICY.read_text(encoding="utf-8").replace("前三年租金减半", "前两年租金全免").encode("utf-8")
    reply = session.post(
        url, data={"csrf_token": csrf, **INFO, "replace": document_id}, files={"file": ("v2.md", newer)}
    )
    assert reply.status_code == 200 and "已替换" in reply.text
    assert "前两年租金全免" in "".join(s.text for s in documents_of(admin_server)[document_id].sections)
    history = session.get(admin_server.url + "/admin/history").text
    assert document_id in history
    reply = session.post(f"{url}/{document_id}/remove", data={"csrf_token": csrf})
    assert reply.status_code == 200 and "已删除文档" in reply.text
    assert document_id not in documents_of(admin_server)


def test_a_bad_file_or_missing_fields_keep_the_form_and_change_nothing(admin_server) -> None:
    session = admin_server.login("editor1")
    url = admin_server.url + "/admin/documents"
    csrf = csrf_of(session, url)
    before = dict(documents_of(admin_server))
    reply = session.post(url, data={"csrf_token": csrf, **INFO}, files={"file": ("scan.png", b"\x89PNG....")})
    assert reply.status_code == 422 and "不支持的文件格式 .png" in reply.text
    assert 'value="湘潭经开区管委会"' in reply.text  # what staff typed is still in the form
    reply = session.post(
        url, data={"csrf_token": csrf, "title": "只有标题"}, files={"file": (POLICY.name, POLICY.read_bytes())}
    )
    assert reply.status_code == 422 and "请填写发文单位" in reply.text and 'value="只有标题"' in reply.text
    reply = session.post(url, data={"csrf_token": "forged", **INFO}, files={"file": (POLICY.name, POLICY.read_bytes())})
    assert reply.status_code == 403
    assert documents_of(admin_server) == before


def test_the_api_lists_imports_and_deletes(admin_server) -> None:
    reply = admin_server.api(
        "POST", "/admin/api/documents", data=INFO, files={"file": (POLICY.name, POLICY.read_bytes())}
    )
    assert reply.status_code == 201, reply.text
    document_id = reply.json()["id"]
    assert reply.json()["section_count"] == len(documents_of(admin_server)[document_id].sections)
    listed = admin_server.api("GET", "/admin/api/documents").json()
    assert document_id in [d["id"] for d in listed["documents"]]
    one = admin_server.api("GET", f"/admin/api/documents/{document_id}").json()
    assert any(s["heading"].endswith("第五条") for s in one["sections"])
    refused = admin_server.api("POST", "/admin/api/documents", data=INFO, files={"file": ("a.doc", b"\xd0\xcf")})
    assert refused.status_code == 422 and "旧版 Word" in refused.json()["error"]
    missing = admin_server.api("POST", "/admin/api/documents", data={}, files={"file": (POLICY.name, b"text")})
    assert missing.status_code == 422 and any("文档标题" in p for p in missing.json()["problems"])
    assert admin_server.api("DELETE", f"/admin/api/documents/{document_id}").status_code == 200
    assert admin_server.api("DELETE", f"/admin/api/documents/{document_id}").status_code == 404
    assert admin_server.api("GET", "/admin/api/documents/nope").status_code == 404


def test_suggestions_open_the_normal_forms_prefilled_and_save_through_them(admin_server) -> None:
    import html

    session = admin_server.login("editor1")
    url = admin_server.url + "/admin/documents"
    csrf = csrf_of(session, url)
    reply = session.post(url, data={"csrf_token": csrf, **INFO}, files={"file": (POLICY.name, POLICY.read_bytes())})
    document_id = re.search(r'href="/admin/documents/(doc_\w+)"', reply.text).group(1)
    page = session.get(f"{url}/{document_id}").text
    assert 'data-testid="faq-suggestions"' in page and "亩均税收" in page
    figure_link = html.unescape(re.search(r'href="(/admin/figures/propose\?[^"]+)"', page).group(1))
    form = session.get(admin_server.url + figure_link).text
    assert "新增数据" in form and 'value="5"' in form and 'value="亿元"' in form
    figure_id = re.search(r'action="/admin/figures/([\w]+)"', form).group(1)
    saved = session.post(
        f"{admin_server.url}/admin/figures/{figure_id}",
        data={
            "csrf_token": csrf,
            "version": "",
            "kind": "fact",
            "name": "优先保障用地的投资门槛",
            "value": "5",
            "unit": "亿元",
            "document": document_id,
            "section": "s4",
            "period": INFO["period"],
            "reviewed_at": "2026-12-01",
        },
    )
    assert saved.status_code == 200 and "已保存" in saved.text
    figure = load_knowledge(admin_server.workspace / "knowledge").knowledge.figures[figure_id]
    assert figure.value == 5 and figure.source.document_id == document_id
    key = re.search(r'name="key" value="(faq:s\d+)"', page).group(1)
    dismissed = session.post(f"{url}/{document_id}/dismiss", data={"csrf_token": csrf, "key": key})
    assert dismissed.status_code == 200 and "已放弃这条建议" in dismissed.text
    assert f'value="{key}"' not in dismissed.text
    faq_link = html.unescape(re.search(r'href="(/admin/faq/new\?[^"]+)"', page).group(1))
    faq_form = session.get(admin_server.url + faq_link).text
    assert "为加快建设先进制造业集聚区" in faq_form  # the answer is prefilled with the section's text


def test_a_file_over_the_request_limit_gets_a_clear_message(admin_server) -> None:
    session = admin_server.login("editor1")
    url = admin_server.url + "/admin/documents"
    csrf = csrf_of(session, url)
    before = dict(documents_of(admin_server))
    big = b"x" * (12 * 1024 * 1024)
    reply = session.post(url, data={"csrf_token": csrf, **INFO}, files={"file": ("big.txt", big)})
    assert reply.status_code == 413 and "文件上限为 10 MB" in reply.text
    api = admin_server.api("POST", "/admin/api/documents", data=INFO, files={"file": ("big.txt", big)})
    assert api.status_code == 413 and "10 MB" in api.json()["error"]
    assert documents_of(admin_server) == before
