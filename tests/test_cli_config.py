"""Every CLI command honours `--config`: `cadrebot --config F report attendance` reads the database
named in F; a reading command never creates a database; errors are Chinese with a non-zero exit."""

from datetime import date

from bot.cli import main as cli
from tests.attendance_helpers import check_in


def write_config(path, database_url: str, data_dir) -> str:
    path.write_text(f'database_url = "{database_url}"\ndata_dir = "{data_dir}"\n', encoding="utf-8")
    return str(path)


def test_report_attendance_reads_the_database_named_in_the_config(world, clock, tmp_path, monkeypatch, capsys):
    check_in(world, clock, date(2026, 10, 8), "zhangjg", "liuy")
    monkeypatch.chdir(tmp_path)  # a ./cadrebot.toml or ./data here must play no part
    config = write_config(tmp_path / "township.toml", world.app.settings.database_url, world.app.settings.data_dir)
    assert cli(["--config", config, "report", "attendance", "--month", "2026-10"]) == 0
    printed = capsys.readouterr().out
    assert "📊 雅庄村 2026年10月考勤（截至10月31日，应出勤 18 天）" in printed
    assert "张建国｜1｜0｜0｜17｜0｜⛔ 视为自动离职" in printed
    assert not (tmp_path / "data").exists()
    # the option after the verb works the same
    assert cli(["report", "attendance", "--month", "2026-10", "--village", "莲湖村", "--config", config]) == 0
    assert "📊 莲湖村" in capsys.readouterr().out


def test_a_reading_command_refuses_to_create_a_database(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    missing = tmp_path / "nowhere.sqlite3"
    config = write_config(tmp_path / "f.toml", f"sqlite:///{missing}", tmp_path / "data")
    for argv in (["report", "attendance", "--month", "2026-10"], ["roster", "export", "out.xlsx"],
                 ["console", "--group", "雅庄村"]):
        assert cli(["--config", config, *argv]) == 2
        assert "数据库里还没有镇，请先导入花名册" in capsys.readouterr().err
    assert not missing.exists() and not (tmp_path / "data").exists()


def test_an_empty_database_is_refused_too(tmp_path, capsys):
    config = write_config(tmp_path / "f.toml", f"sqlite:///{tmp_path / 'empty.sqlite3'}", tmp_path / "data")
    assert cli(["--config", config, "db", "upgrade"]) == 0
    assert cli(["--config", config, "report", "attendance", "--month", "2026-10"]) == 2
    assert "数据库里还没有镇" in capsys.readouterr().err


def test_a_missing_config_file_is_a_chinese_error(tmp_path, capsys):
    assert cli(["--config", str(tmp_path / "nope.toml"), "report", "attendance", "--month", "2026-10"]) == 2
    assert f"找不到配置文件 {tmp_path / 'nope.toml'}" in capsys.readouterr().err


def test_an_unreachable_database_is_a_chinese_error(tmp_path, capsys):
    config = write_config(tmp_path / "f.toml", "postgresql+psycopg://nobody@127.0.0.1:1/none", tmp_path / "data")
    assert cli(["--config", config, "report", "attendance", "--month", "2026-10"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("❌ 无法连接或使用数据库") and "Traceback" not in err


def test_calendar_import_of_a_missing_file_is_a_chinese_error(tmp_path, capsys):
    config = write_config(tmp_path / "f.toml", f"sqlite:///{tmp_path / 'x.sqlite3'}", tmp_path / "data")
    assert cli(["--config", config, "calendar", "import", str(tmp_path / "2027.json")]) == 2
    assert "读不了日历文件" in capsys.readouterr().err
