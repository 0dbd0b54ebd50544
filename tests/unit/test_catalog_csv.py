"""domain.catalog: comparing names and reading a user's code CSV."""
import pytest

from juesuan.domain.catalog import CatalogError, normalize_name, read_code_csv


@pytest.mark.parametrize("raw, normalized", [
    ("行政运行", "行政运行"),
    ("行政 运行", "行政运行"),                                     # PDF-conversion space
    ("行政\u3000运行\n", "行政运行"),                              # ideographic space, line break
    ("因公出国(境)费", "因公出国（境）费"),                          # half-width brackets -> full-width
    ("因公出国（境）费", "因公出国（境）费"),
    ("[其他]", "【其他】"),
    ("", ""), (None, ""),
])
def test_normalize_name(raw, normalized):
    assert normalize_name(raw) == normalized


def test_read_code_csv_utf8_with_bom_and_gbk(tmp_path):
    utf8 = tmp_path / "u.csv"
    utf8.write_bytes("\ufeffcode,name\n2010301, 行政运行 \n20103,政府办公厅（室）及相关机构事务\n\n".encode("utf-8"))
    assert read_code_csv(utf8) == {"2010301": "行政运行", "20103": "政府办公厅（室）及相关机构事务"}
    gbk = tmp_path / "g.csv"
    gbk.write_bytes("name,code\n一般公共服务支出,201\n".encode("gbk"))
    assert read_code_csv(gbk) == {"201": "一般公共服务支出"}


@pytest.mark.parametrize("content, message", [
    ("科目,名称\n201,一般公共服务支出\n".encode("utf-8"), "科目目录 {path} 缺少表头 code,name"),
    (b"", "科目目录 {path} 缺少表头 code,name"),
    ("code,name\n201,一般公共服务支出\n2010,错\n".encode("utf-8"), "科目目录 {path} 第3行：科目编码“2010”应为3、5或7位数字"),
    ("code,name\n20101ab,错\n".encode("utf-8"), "科目目录 {path} 第2行：科目编码“20101ab”应为3、5或7位数字"),
    (b"code,name\n\x80\xff,x\n", "科目目录 {path} 编码无法识别（请保存为 UTF-8）"),
])
def test_read_code_csv_refuses_with_the_line(tmp_path, content, message):
    path = tmp_path / "c.csv"
    path.write_bytes(content)
    with pytest.raises(CatalogError) as caught:
        read_code_csv(path)
    assert str(caught.value) == message.format(path=path)


def test_read_code_csv_missing_file(tmp_path):
    path = tmp_path / "没有.csv"
    with pytest.raises(CatalogError) as caught:
        read_code_csv(path)
    assert str(caught.value).startswith(f"无法读取科目目录 {path}：")
