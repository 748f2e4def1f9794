"""Whose return is this? The workbook's metadata, then 填报单位, then the file name; when two of
them name different schools the clerk decides, and a guess is never made.

A wrong guess is the worst outcome here: one school's figures credited to another, in the
district summary, without anyone being asked.
"""

from __future__ import annotations

import pytest

from aggregator.collection.intake.identify import Identity, identify
from aggregator.collection.store.names import NameIndex, fold, level_prefixes, name_key
from aggregator.collection.store.roster import School
from aggregator.reading.submission import Submission

from forms_helpers import FORM

COLLECTION = "2023-双减-11"
SCHOOLS = {s.id: s for s in [
    School("S1", "曾都区实验小学", "小学"),
    School("S2", "曾都区实验中学", "初中"),
    School("S3", "万店镇中心小学", "小学"),
    School("S4", "万店镇初级中学", "初中"),
    School("S5", "何店镇白龙小学", "小学"),
]}
INDEX = NameIndex({sid: s.name for sid, s in SCHOOLS.items()}, ("曾都区", "随州市", "湖北省"))


def whose(file_name: str = "附件5.xlsx", unit: str = "", **meta: str) -> Identity:
    """The identity of a return with 填报单位 ``unit`` and ``meta``, received as ``file_name``."""
    sub = Submission(FORM.id, FORM.version, {"unit": unit}, {"unit": "B3"}, meta=meta)
    return identify(sub, file_name, INDEX, SCHOOLS, COLLECTION, FORM.unit)


def issued_to(school_id: str) -> dict[str, str]:
    return {"collection_id": COLLECTION, "school_id": school_id, "school_name": SCHOOLS[school_id].name}


# --- metadata ---------------------------------------------------------------------------------------


def test_metadata_of_this_collection_names_the_school():
    assert whose("新建 Microsoft Excel 工作表.xlsx", **issued_to("S3")) == Identity("S3", "metadata")


def test_metadata_and_a_matching_unit_agree():
    assert whose("x.xlsx", "万店镇中心小学", **issued_to("S3")) == Identity("S3", "metadata")


def test_metadata_outranks_the_file_name():
    assert whose("曾都区实验中学.xlsx", **issued_to("S3")) == Identity("S3", "metadata")


def test_metadata_and_unit_of_different_schools_wait_for_the_clerk():
    got = whose("x.xlsx", "何店镇白龙小学", **issued_to("S3"))
    assert (got.school_id, got.by) == ("S3", "metadata")
    assert str(got.review) == "这份表是发给“万店镇中心小学”的，但填报单位写的是“何店镇白龙小学”，请确认是哪所学校的报表"


def test_last_years_workbook_is_matched_by_the_school_name_in_its_metadata():
    got = whose("x.xlsx", collection_id="2022-双减", school_id="S99", school_name="曾都区 万店镇初级中学")
    assert got == Identity("S4", "metadata")


def test_metadata_of_this_collection_goes_by_the_school_id_not_the_name_written_with_it():
    """The roster renamed the school after the workbook was issued: the id still says whose it is."""
    got = whose("x.xlsx", collection_id=COLLECTION, school_id="S3", school_name="万店镇完全小学")
    assert got == Identity("S3", "metadata")


def test_metadata_of_another_collection_goes_by_the_name_not_the_school_id():
    """Ids are per collection: last year's S3 may be another school now."""
    got = whose("x.xlsx", collection_id="2022-双减", school_id="S3", school_name="何店镇白龙小学")
    assert got == Identity("S5", "metadata")


def test_metadata_naming_a_school_of_another_roster_falls_back_to_the_unit():
    got = whose("x.xlsx", "万店镇初级中学", collection_id=COLLECTION, school_id="S99", school_name="随县某小学")
    assert got == Identity("S4", "unit")


# --- 填报单位 and the file name ---------------------------------------------------------------------


@pytest.mark.parametrize("typed", ["万店镇初级中学", "曾都区 万店镇初级中学", "万店镇　初级中学 ", "（万店镇初级中学）",
                                   "湖北省随州市曾都区万店镇初级中学"])
def test_unit_names_the_school_with_small_differences_forgiven(typed):
    assert whose("附件5.xlsx", typed) == Identity("S4", "unit")


def test_unit_and_file_name_of_the_same_school():
    assert whose("万店镇初级中学统计表.xlsx", "万店镇初级中学") == Identity("S4", "unit")


def test_unit_and_file_name_of_different_schools_wait_for_the_clerk():
    """The blind spot: never credited to either school without asking."""
    got = whose(r"C:\Users\王丽\Downloads\何店镇白龙小学(1).xlsx", "万店镇初级中学")
    assert str(got.review) == "填报单位写的是“万店镇初级中学”，但文件名像是“何店镇白龙小学”的，请确认是哪所学校的报表"
    assert (got.school_id, got.by) == ("S4", "unit")  # filed under the school it says, pending the clerk


def test_file_name_as_last_resort():
    assert whose("/下载/万店镇初级中学.xlsx") == Identity("S4", "filename")


@pytest.mark.parametrize("path", ["/万店镇初级中学/附件5.xlsx", r"C:\下载\万店镇初级中学\附件5.xlsx"])
def test_a_folder_named_after_a_school_is_not_the_file_name(path):
    assert whose(path).school_id is None


@pytest.mark.parametrize("unit, why", [
    ("", "没有填写填报单位，文件名也看不出是哪所学校，请指定学校（dudao assign）"),
    ("随县实验小学", "填报单位“随县实验小学”不在学校名单中，文件名也看不出是哪所学校，请指定学校（dudao assign）"),
])
def test_nothing_names_a_school_so_the_clerk_assigns_it(unit, why):
    got = whose("新建 Microsoft Excel 工作表.xlsx", unit)
    assert (got.school_id, got.by, str(got.review)) == (None, "", why)


# --- matching names -------------------------------------------------------------------------------


@pytest.mark.parametrize("typed, key", [
    ("曾都区 实验小学（本部）", "实验小学本部"),
    ("实验小学(本部)", "实验小学本部"),
    ("湖北省随州市曾都区实验小学", "实验小学"),
    ("曾都实验小学", "实验小学"),
    ("曾都区", "曾都区"),  # a prefix alone stays itself
    ("曾都区一中", "一中"),  # two characters left are a name
    ("曾都区随州市实验小学", "实验小学"),  # prefixes in any order
    ("Ｗ　ｄ·小学", "wd小学"),
])
def test_name_key(typed, key):
    assert name_key(typed, level_prefixes(("曾都区", "随州市", "湖北省"))) == key


def test_no_district_is_forgiven_unless_the_collection_names_it():
    """The code knows no district: only the collection's own levels are prefixes."""
    assert name_key("曾都区实验小学") == "曾都区实验小学"
    assert name_key("广水市十里街道中心小学", level_prefixes(("广水市", "随州市"))) == "十里街道中心小学"


@pytest.mark.parametrize("typed", ["广水市十里街道中心小学", "随州市广水市十里街道中心小学", "湖北省广水十里中心小学",
                                   "十里街道中心小学", "广水十里街道中心小学"])
def test_another_district_forgives_its_own_levels(typed):
    index = NameIndex({"A": "十里街道中心小学", "B": "广水市实验小学"}, ("广水市", "湖北省", "随州市"))
    assert index.match(typed) == "A"
    assert NameIndex({"A": "十里街道中心小学"}, ("曾都区",)).match("广水市十里街道中心小学") is None


@pytest.mark.parametrize("text", ["万店中心学校推荐优秀督导干部.docx", "万店镇中心学校推荐优秀督导干部.docx"])
def test_a_central_school_is_found_with_its_towns_word_or_without(text):
    index = NameIndex({"A": "万店镇中心学校", "B": "万店镇中心小学"}, "曾都区")
    assert index.find_in(text) == "A" and index.match(text.split("推荐")[0]) == "A"


def test_fold_is_half_width_lower_case_without_surrounding_spaces():
    assert fold("  ＡＢＣ１２３ ") == "abc123"


def test_a_district_prefix_of_the_collection_is_dropped_too():
    index = NameIndex({"A": "随县第一小学"}, "随县")
    assert index.match("第一小学") == "A" and index.match("随县 第一小学") == "A"
    spaced = NameIndex({"A": "第一小学"}, "随 县")  # as the clerk typed the district's name
    assert spaced.match("随县第一小学") == "A"


def test_an_empty_roster_names_no_school():
    assert NameIndex({}).match("第一小学") is None and NameIndex({}).find_in("附件5-第一小学") is None


def test_a_name_two_schools_share_matches_neither():
    index = NameIndex({"A": "曾都区实验小学", "B": "实验小学"}, "曾都区")
    assert index.match("实验小学") is None
    assert index.find_in("实验小学统计表") is None


@pytest.mark.parametrize("text", [None, "", "   "])
def test_nothing_typed_matches_nothing(text):
    assert INDEX.match(text) is None


def test_the_longest_name_in_a_file_name_wins():
    index = NameIndex({"A": "城南小学", "B": "城南小学分校"}, "曾都区")
    assert index.find_in("附件5-城南小学分校(1)") == "B"
    assert index.find_in("附件5-城南小学(1)") == "A"


def test_two_names_of_the_same_length_in_a_file_name_name_no_school():
    index = NameIndex({"A": "城南小学", "B": "城北小学"}, "曾都区")
    assert index.find_in("城南小学城北小学") is None
    assert index.find_in("城南小学城南小学") == "A"


def test_a_one_character_name_is_never_found_inside_a_file_name():
    index = NameIndex({"A": "一中", "B": "二"}, "")
    assert index.find_in("附件5-一中") == "A"
    assert index.find_in("附件5-二") is None and index.find_in("附件二(改)") is None
