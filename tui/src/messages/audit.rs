//! The audit screen's words.

use super::Lang;
use desk137_proto::v1 as pb;

pub struct AuditLabels {
    pub title: &'static str,
    pub case: &'static str,
    pub staff: &'static str,
    pub when: &'static str,
    pub who: &'static str,
    pub what: &'static str,
    pub case_column: &'static str,
    pub why: &'static str,
    pub empty: &'static str,
    pub page: &'static str,
    pub more: &'static str,
}

pub const FA: AuditLabels = AuditLabels {
    title: "گزارش ممیزی",
    case: "پرونده",
    staff: "کارمند",
    when: "زمان",
    who: "کاربر",
    what: "رویداد",
    case_column: "پرونده",
    why: "شرح",
    empty: "موردی نیست",
    page: "صفحه",
    more: "بیشتر",
};

pub const EN: AuditLabels = AuditLabels {
    title: "Audit log",
    case: "case",
    staff: "staff",
    when: "when",
    who: "who",
    what: "what",
    case_column: "case",
    why: "why",
    empty: "no entries",
    page: "page",
    more: "more",
};

impl Lang {
    pub fn audit(self) -> &'static AuditLabels {
        match self {
            Lang::Fa => &FA,
            Lang::En => &EN,
        }
    }

    /// An audit action as this language names it.
    pub fn audit_action(self, action: i32) -> &'static str {
        use pb::AuditAction as A;
        let (fa, en) = match A::try_from(action).unwrap_or(A::Unspecified) {
            A::PhoneRevealed => ("دیدن شماره", "number seen"),
            A::ConsentGiven => ("رضایت", "consent"),
            A::ConsentWithdrawn => ("پس‌گرفتن رضایت", "consent withdrawn"),
            A::CitizenErased => ("پاک‌کردن شهروند", "citizen erased"),
            A::KeyRotated => ("تعویض کلید", "key rotated"),
            A::RoleChanged => ("تغییر نقش", "role changed"),
            A::ShahrbanSet => ("شهربان", "Shahrban set"),
            A::ShahrbanCleared => ("لغو شهربان", "Shahrban cleared"),
            A::FalseReportMarked => ("گزارش کذب", "false report"),
            A::FalseReportCleared => ("لغو گزارش کذب", "false report cleared"),
            A::AuditRead => ("خواندن ممیزی", "audit read"),
            A::Unspecified => ("؟", "?"),
        };
        match self {
            Lang::Fa => fa,
            Lang::En => en,
        }
    }
}
