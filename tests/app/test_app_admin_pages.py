"""AppTest: 用户管理, 系统设置, 批量导入 pages."""
from core import vocab
from services import experts, settings, users
from services.context import build_context
from tests.app.conftest import click, logged_in, make_app, rerun_app, texts
from tests.conftest import ADMIN


def test_the_users_page_creates_a_leader_account(app_ctx, data_dir):
    at = logged_in(page="pages/users.py")
    assert not at.exception
    at.text_input(key="users_new_username").input("leader1")
    at.text_input(key="users_new_display_name").input("张局长")
    at.selectbox(key="users_new_role").set_value(vocab.ROLE_LEADER)
    at.text_input(key="users_new_password").input("abc12345")
    at.text_input(key="users_new_confirm").input("abc12345")
    click(at, "创建用户")
    assert not at.exception
    assert users.login(build_context(data_dir), "leader1", "abc12345").role == vocab.ROLE_LEADER


def test_the_users_page_refuses_a_department_account_without_its_department(app_ctx, data_dir):
    at = logged_in(page="pages/users.py")
    at.text_input(key="users_new_username").input("dept1")
    at.text_input(key="users_new_display_name").input("科室")
    at.selectbox(key="users_new_role").set_value(vocab.ROLE_DEPARTMENT)
    at.text_input(key="users_new_password").input("abc12345")
    at.text_input(key="users_new_confirm").input("abc12345")
    click(at, "创建用户")
    assert "科室名称" in texts(at)
    assert len(users.list_users(build_context(data_dir), ADMIN)) == 1


def test_the_settings_page_switches_the_policy_and_makes_a_backup(app_ctx, data_dir):
    at = logged_in(page="pages/settings.py")
    assert not at.exception
    at.selectbox(key="settings_policy_id").set_value("yangquan-2024").run()
    at.button(key="settings_policy_switch").click().run()  # nothing recorded yet: nothing to confirm
    assert "已切换当前政策" in texts(at)
    assert settings.active_policy_id(build_context(data_dir)) == "yangquan-2024"
    at.button(key="settings_backup_now").click().run()
    assert not at.exception
    assert len(build_context(data_dir).store.backups.list()) >= 1


def test_the_settings_page_verifies_the_audit_log(app_ctx):
    at = logged_in(page="pages/settings.py")
    at.button(key="settings_verify_audit").click().run()
    assert not at.exception
    assert at.success  # an untouched log verifies


def test_the_settings_page_removes_the_demo_pool_once_its_plan_is_confirmed(app_ctx, data_dir):
    experts.load_demo(app_ctx, ADMIN, history=False)
    at = logged_in(page="pages/settings.py")
    next(c for c in at.checkbox if c.label == "我已了解将删除以上记录").check().run()
    at.button(key="settings_remove_demo").click().run()
    assert not at.exception
    assert experts.active_experts(build_context(data_dir)) == []


def test_the_import_page_saves_a_valid_roster(app_ctx, data_dir):
    from services import demo
    pool = demo.generate_demo_pool(app_ctx.policies["jincheng-2026"], seed=7, today=app_ctx.today())[:5]
    # an import makes applicants: state, term, certificate and group role are left empty (issue 10 item 7)
    pool = [{k: v for k, v in r.items() if k not in experts.PROCEDURE_KEYS + ("group_role",)} for r in pool]
    data = experts.excel_io.export_experts_xlsx(pool)
    at = logged_in(page="pages/import_experts.py")
    assert not at.exception
    at.get("file_uploader")[0].set_value(("roster.xlsx", data, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))
    click(at, "检查并导入")
    assert not at.exception
    assert "已导入 5 名专家" in texts(at)
    assert len(experts.active_experts(build_context(data_dir))) == 5


def test_the_import_page_without_a_file_says_so(app_ctx):
    at = logged_in(page="pages/import_experts.py")
    click(at, "检查并导入")
    assert "请先选择" in texts(at)


def test_the_settings_page_reports_every_template_of_the_profile_x_w2(app_ctx):
    at = logged_in(page="pages/settings.py")
    assert not at.exception
    frame = next(df.value for df in at.dataframe if "模板文件" in df.value.columns)
    assert "jc_fj2_申报表.docx" in set(frame["模板文件"])
    assert set(frame["状态"]) <= {"正常", "后续版本提供"}


def test_a_template_with_an_unknown_field_shows_on_the_settings_page_x_w2(app_ctx, tmp_path, monkeypatch):
    import importlib
    import shutil

    from docx import Document

    render = importlib.import_module("forms.render")
    folder = tmp_path / "templates"
    shutil.copytree(render.TEMPLATES_DIR, folder)
    doc = Document(folder / "jc_fj3_廉政承诺书.docx")
    doc.add_paragraph("{{ no_such_field }}")
    doc.save(folder / "jc_fj3_廉政承诺书.docx")
    monkeypatch.setattr(render, "TEMPLATES_DIR", folder)
    at = logged_in(page="pages/settings.py")
    frame = next(df.value for df in at.dataframe if "模板文件" in df.value.columns)
    row = frame[frame["模板文件"] == "jc_fj3_廉政承诺书.docx"].iloc[0]
    assert row["状态"] == "有问题" and "no_such_field" in row["问题"]


def test_a_disabled_account_loses_its_open_session_on_the_next_run(app_ctx):
    """Issue 11 §4: the session is checked against the user record on every run; 停用 ends it at once."""
    from services.context import User

    users.create_user(app_ctx, ADMIN, username="dept1", display_name="科室甲", role=vocab.ROLE_DEPARTMENT,
                      department="煤矿安全监管综合科", password="abc12345", confirm="abc12345")
    at = make_app()
    at.session_state["user"] = User("dept1", "科室甲", vocab.ROLE_DEPARTMENT, "煤矿安全监管综合科")
    at.run()
    assert not at.exception and "user" in at.session_state
    users.set_disabled(app_ctx, ADMIN, "dept1", True)
    rerun_app(at)
    assert "user" not in at.session_state
    assert any("账号已停用" in w.value for w in at.warning)

