"""marshmallow's refusals in Chinese, so the API names each field's problem the way the forms do.

Fields and validators copy these texts when they are built, so this module is imported before any
schema is defined (web/api/schemas.py imports it first).
"""

from marshmallow import Schema, fields, validate

_INVALID = {
    fields.Boolean: "须为是或否（true/false）",
    fields.Date: "须为日期，如 2027-01-04",
    fields.DateTime: "须为日期时间，如 2027-01-04T09:00:00+08:00",
    fields.Email: "须为有效的电子邮箱地址",
    fields.Integer: "须为整数",
    fields.List: "须为列表",
    fields.Mapping: "须为对象",
    fields.Number: "须为数字",
    fields.String: "须为文本",
    fields.Tuple: "须为列表",
    fields.Url: "须为有效的网址",
}


def _install() -> None:
    fields.Field.default_error_messages.update(required="必填", null="不能为空", validator_failed="取值无效")
    for field_class, message in _INVALID.items():
        field_class.default_error_messages["invalid"] = message
    fields.Number.default_error_messages["too_large"] = "数字过大"
    fields.Float.default_error_messages["special"] = "不接受 NaN 或无穷大"
    fields.Nested.default_error_messages["type"] = "须为对象"
    fields.UUID.default_error_messages["invalid_uuid"] = "须为有效的编号（UUID）"
    fields.Enum.default_error_messages["unknown"] = "须为以下之一：{choices}"
    Schema._default_error_messages.update(type="须为 JSON 对象", unknown="不接受此字段")
    validate.Length.message_min = "长度至少为 {min}"
    validate.Length.message_max = "长度至多为 {max}"
    validate.Length.message_all = "长度须在 {min} 到 {max} 之间"
    validate.Length.message_equal = "长度须为 {equal}"
    validate.OneOf.default_message = "须为以下之一：{choices}"
    validate.Range.message_gte, validate.Range.message_gt = "不小于", "大于"
    validate.Range.message_lte, validate.Range.message_lt = "不大于", "小于"
    validate.Range.message_min = "须{min_op} {{min}}"
    validate.Range.message_max = "须{max_op} {{max}}"
    validate.Range.message_all = "须{min_op} {{min}} 且{max_op} {{max}}"
    validate.Regexp.default_message = "格式不正确"
    validate.Email.default_message = "须为有效的电子邮箱地址"
    validate.URL.default_message = "须为有效的网址"
    validate.Equal.default_message = "须等于 {other}"
    validate.ContainsOnly.default_message = "所选值须在以下范围内：{choices}"
    validate.NoneOf.default_message = "不接受此值"


_install()
