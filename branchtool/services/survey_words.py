"""The words survey exports are written in: the survey tools' own columns,
the ways people answer yes, no, "nothing" and "ticked", quarantine states,
being at school or at home, and China's provincial-level divisions.

This is data, not text shown to anyone (the labels shown come from the
message catalogs); it is what 问卷星, 腾讯问卷, 金数据, 麦客 and a class's
own sheet really write. Every word is compared folded (``fold``).
"""

from __future__ import annotations

import re

_FOLD = re.compile(r"[\s*＊:：()（）\[\]【】〖〗「」『』\"'“”‘’.。,，、;；!！?？/／\\_—–-]")


def fold(text: str) -> str:
    """Text compared loosely: no spaces or punctuation, lower case."""
    return _FOLD.sub("", text).lower()


def _folded(*words: str) -> frozenset[str]:
    return frozenset(fold(w) for w in words)


# -- the survey tools' own columns ---------------------------------------------------------
# Columns a tool adds around the questions. They are never a check-in field;
# the submission time among them is read separately (``SUBMITTED``).
TOOL_COLUMNS = _folded(
    # 问卷星
    "序号", "提交答卷时间", "所用时间", "来源", "来源详情", "来自IP", "来自ip", "总分",
    "答卷编号", "开始答题时间", "答题时长", "用户ID", "微信昵称", "自定义字段",
    # 腾讯问卷
    "编号", "结束答题时间", "地理位置国家和地区", "地理位置省", "地理位置市", "IP", "ip地址",
    "回答者", "用户标识", "渠道", "答题人QQ", "微信OpenID", "openid", "UnionID",
    # 金数据
    "填写设备", "操作系统", "浏览器", "填写地区", "修改时间", "来源渠道", "提交人",
    "填写时长", "微信性别", "微信国家", "微信省份", "微信城市", "微信头像", "推广渠道",
    "数据编号", "审核状态", "创建时间", "更新时间", "创建人", "更新人",
    # 麦客
    "提交IP", "IP归属地", "提交来源", "访问终端", "浏览器类型", "联系人编号", "标签",
    # English exports
    "respondent id", "collector id", "start date", "end date", "ip address", "duration",
)
# Of those, the ones that hold when the answer was sent (the later wins).
SUBMITTED = _folded(
    "提交答卷时间", "提交时间", "结束答题时间", "填写时间", "答题时间", "填报时间", "打卡时间",
    "提交日期", "时间戳", "创建时间", "submitted", "submit time", "end date", "timestamp",
)
# Which tool wrote an export: a column only that tool writes.
TOOL_MARKS = {
    "wjx": _folded("提交答卷时间", "所用时间", "来源详情", "来自IP"),
    "tencent": _folded("结束答题时间", "地理位置国家和地区", "地理位置省"),
    "jinshuju": _folded("填写设备", "填写地区", "微信OpenID"),
    "mikecrm": _folded("提交IP", "IP归属地", "访问终端"),
}

# -- answers ---------------------------------------------------------------------------------
# "Nothing to report" in a symptoms (or any) column.
NOTHING = _folded(
    "无", "没有", "无症状", "均无", "都没有", "以上都没有", "以上均无", "以上皆无", "以上都无",
    "无以上症状", "无上述症状", "无异常", "正常", "身体正常", "健康", "身体健康", "良好",
    "身体良好", "无任何症状", "没有症状", "无不适", "否", "空", "（空）", "N/A", "NA", "none",
    "no", "nil", "null", "-", "--", "/", "—", "暂无", "未见异常", "一切正常", "无特殊",
)
YES = _folded("是", "有", "是的", "有的", "对", "y", "yes", "true", "1", "√", "✓", "✔", "曾经",
              "到过", "去过", "接触过", "存在")
NO = _folded("否", "无", "没有", "不是", "没", "n", "no", "false", "0", "×", "✗", "未",
             "未到过", "没去过", "没有去过", "未接触", "未接触过", "没有接触", "不存在")
# Answers beginning like this mean yes or no ("否，一直在校", "是（请在备注中说明）").
NO_STARTS = ("否", "无", "没", "未", "不", "n")
YES_STARTS = ("是", "有", "曾", "y")
# A ticked option in an export that gives one column per option.
TICKED = _folded("1", "是", "√", "✓", "✔", "选中", "已选", "true", "yes", "y", "☑", "■")
UNTICKED = _folded("0", "否", "", "未选中", "未选", "false", "no", "n", "☐", "□")

# Quarantine states, most specific first: (words in the answer, isolation code).
ISOLATION_WORDS = (
    (("集中隔离", "集中医学观察", "集中观察", "隔离酒店", "隔离点"), "central_quarantine"),
    (("居家健康监测", "健康监测", "居家监测", "自我健康监测"), "home_monitoring"),
    (("居家隔离", "在家隔离", "居家医学观察", "居家观察"), "home_quarantine"),
    (("医学观察", "留观", "医学隔离"), "medical_observation"),
)
ISOLATION_NONE = _folded("否", "无", "没有", "未隔离", "不需要", "正常", "无需隔离", "不在隔离期",
                         "未处于隔离", "n", "no", "none")

# Being at school or at home, in a place answer.
CAMPUS_WORDS = ("在校", "学校", "校内", "校园", "宿舍", "寝室", "校区", "在学校")
HOME_WORDS = ("在家", "家中", "居家", "老家", "家里", "离校", "回家")
CAMPUS_ANSWERS = _folded(*CAMPUS_WORDS, "是", "y", "yes")
HOME_ANSWERS = _folded(*HOME_WORDS, "否", "n", "no")

# "Other" with the words written beside it: 问卷星 "其他〖流鼻涕〗", others "其他:流鼻涕".
OTHER_WITH_TEXT = re.compile(r"^\s*(?:其他|其它|other)\s*[〖(（\[【:：]\s*(.*?)\s*[〗)）\]】]?\s*$",
                             re.IGNORECASE)

# China's provincial-level divisions: (short name, full name).
PROVINCES = (
    ("北京", "北京市"), ("天津", "天津市"), ("上海", "上海市"), ("重庆", "重庆市"),
    ("河北", "河北省"), ("山西", "山西省"), ("辽宁", "辽宁省"), ("吉林", "吉林省"),
    ("黑龙江", "黑龙江省"), ("江苏", "江苏省"), ("浙江", "浙江省"), ("安徽", "安徽省"),
    ("福建", "福建省"), ("江西", "江西省"), ("山东", "山东省"), ("河南", "河南省"),
    ("湖北", "湖北省"), ("湖南", "湖南省"), ("广东", "广东省"), ("海南", "海南省"),
    ("四川", "四川省"), ("贵州", "贵州省"), ("云南", "云南省"), ("陕西", "陕西省"),
    ("甘肃", "甘肃省"), ("青海", "青海省"), ("台湾", "台湾省"),
    ("内蒙古", "内蒙古自治区"), ("广西", "广西壮族自治区"), ("西藏", "西藏自治区"),
    ("宁夏", "宁夏回族自治区"), ("新疆", "新疆维吾尔自治区"),
    ("香港", "香港特别行政区"), ("澳门", "澳门特别行政区"),
)
MUNICIPALITIES = ("北京市", "天津市", "上海市", "重庆市")
# Where a city's name ends in free text ("广州市天河区", "恩施土家族苗族自治州").
CITY_END = re.compile(r"^(.{1,12}?(?:市|自治州|地区|盟))")
PREFECTURE_END = re.compile(r"^(.{1,12}?州)")
# Between the parts of a place: "广东省-广州市-天河区", "广东省/广州市", "广东省 广州市".
PLACE_PARTS = re.compile(r"\s*[-－—–/／|,，、\s]\s*")


# -- questions ----------------------------------------------------------------------------
# How tools number questions: "1、", "Q2.", "（3）", "第4题", "一、".
NUMBERING = re.compile(
    r"^\s*(?:第\s*\d+\s*题|[(（\[【]\s*\d+\s*[)）\]】]|[QqＱ]\s*\d+(?:[.\-_]\d+)?\s*[、.．:：)）_\-]?"
    r"|\d+(?:\.\d+)?\s*[、.．:：)）_\-]|[一二三四五六七八九十]+\s*[、.．])\s*")
# A parenthesised part that is a note, not an option: "（可多选）", "(℃)".
NOTE_WORDS = ("多选", "单选", "必填", "选填", "必答", "可选", "请", "填空", "下拉", "℃", "°c",
               "摄氏", "如", "例", "格式", "题")
# Keyword rules for questions worded freely: (field, words one of which it
# holds, words it must not hold). First match wins: the specific before the broad.
QUESTION_KEYWORDS: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...] = (
    ("id_number", ("身份证", "证件号"), ()),
    ("school_number", ("学号", "工号", "学工号"), ("姓名",)),
    ("name", ("姓名", "名字", "填表人", "填写人", "填报人", "本人姓名"),
     ("联系人", "家长", "监护人", "紧急", "辅导员", "班主任", "拼音", "英文")),
    ("phone", ("手机", "电话", "联系方式"), ("家长", "监护人", "紧急", "联系人", "辅导员")),
    ("case_contact", ("接触",), ()),
    ("risk_travel", ("14天", "十四天", "近期", "两周", "旅居", "途经", "到过", "去过", "前往",
                     "出行", "行程", "外出", "离开"), ()),
    ("isolation", ("隔离", "医学观察", "健康监测", "居家观察"), ()),
    ("temperature", ("体温", "温度"), ()),
    ("symptom_other", ("其他症状", "症状说明", "症状描述", "其它症状"), ()),
    ("symptoms", ("症状", "身体状况", "健康状况", "身体情况", "健康情况", "身体是否", "不适"),
     ()),
    ("location", ("是否在校", "在校", "返校", "离校", "在家还是"), ()),
    ("province", ("省份", "所在省"), ("城市",)),
    ("city", ("城市", "地市", "所在市"), ()),
    ("place", ("所在地", "位置", "地址", "居住地", "现居", "定位", "所在城市", "住址", "在哪"),
     ()),
    ("note", ("备注", "说明", "其他情况", "补充", "其他需要", "留言"), ()),
    ("date", ("日期",), ("出生",)),
)
RISK_WORDS = ("风险", "疫区", "湖北", "武汉", "境外", "中高", "疫情", "封控", "管控")

TIME = "时间"
SUBMIT_VERBS = ("提交", "填写", "打卡", "填报")
