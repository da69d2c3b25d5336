// English and Arabic texts, the page language and direction, and the remembered choice.

const STORAGE_KEY = "qou.lang";

export const LANGUAGES = { en: "English", ar: "العربية" };

const MESSAGES = {
  en: {
    "app.name": "QOU Classroom",
    "lang.label": "Language",
    "login.heading": "Log in",
    "login.intro": "Use your Al-Quds Open University account.",
    "login.username": "Username",
    "login.password": "Password",
    "login.submit": "Log in",
    "login.busy": "Logging in…",
    logout: "Log out",
    loading: "Loading…",
    "dashboard.welcome": "Welcome,",
    "dashboard.heading": "My courses",
    "dashboard.empty": "You are not enrolled in any course yet.",
    "dashboard.partial": "Showing {shown} of {total} courses.",
    "fact.role": "Role",
    "fact.timeZone": "Time zone",
    "fact.term": "Term",
    "fact.myRole": "Your role",
    "fact.students": "Enrolled students",
    "role.admin": "Administrator",
    "role.educator": "Educator",
    "role.student": "Student",
    "error.invalid_credentials": "Wrong username or password.",
    "error.too_many_attempts": "Too many failed attempts. Please wait a little and try again.",
    "error.unauthenticated": "Your session has ended. Please log in again.",
    "error.network_error": "Cannot reach the server. Check your connection and try again.",
    "error.generic": "Something went wrong. Please try again.",
  },
  ar: {
    "app.name": "فصول جامعة القدس المفتوحة",
    "lang.label": "اللغة",
    "login.heading": "تسجيل الدخول",
    "login.intro": "استخدم حسابك في جامعة القدس المفتوحة.",
    "login.username": "اسم المستخدم",
    "login.password": "كلمة المرور",
    "login.submit": "دخول",
    "login.busy": "جارٍ تسجيل الدخول…",
    logout: "تسجيل الخروج",
    loading: "جارٍ التحميل…",
    "dashboard.welcome": "أهلاً بك،",
    "dashboard.heading": "مقرراتي",
    "dashboard.empty": "لست مسجلاً في أي مقرر بعد.",
    "dashboard.partial": "يُعرض {shown} من أصل {total} مقرراً.",
    "fact.role": "الدور",
    "fact.timeZone": "المنطقة الزمنية",
    "fact.term": "الفصل",
    "fact.myRole": "دورك",
    "fact.students": "الطلاب المسجلون",
    "role.admin": "مسؤول النظام",
    "role.educator": "محاضر",
    "role.student": "طالب",
    "error.invalid_credentials": "اسم المستخدم أو كلمة المرور غير صحيحة.",
    "error.too_many_attempts": "محاولات فاشلة كثيرة. يرجى الانتظار قليلاً ثم المحاولة مجدداً.",
    "error.unauthenticated": "انتهت جلستك. يرجى تسجيل الدخول مجدداً.",
    "error.network_error": "تعذّر الاتصال بالخادم. تحقق من اتصالك وحاول مجدداً.",
    "error.generic": "حدث خطأ ما. يرجى المحاولة مجدداً.",
  },
};

let current = "en";

const isLanguage = (lang) => Object.hasOwn(LANGUAGES, lang);

export function language() {
  return current;
}

// The remembered choice, else the browser's language; used before anyone logs in.
export function initialLanguage() {
  let stored = null;
  try {
    stored = localStorage.getItem(STORAGE_KEY);
  } catch {
    // Storage can be blocked (privacy settings); fall back to the browser's language.
  }
  if (isLanguage(stored)) return stored;
  return navigator.language?.toLowerCase().startsWith("ar") ? "ar" : "en";
}

export function setLanguage(lang) {
  current = isLanguage(lang) ? lang : "en";
  const root = document.documentElement;
  root.lang = current;
  root.dir = current === "ar" ? "rtl" : "ltr";
  document.title = t("app.name");
  try {
    localStorage.setItem(STORAGE_KEY, current);
  } catch {
    // Not remembered across visits, but the page still switches.
  }
}

// t("dashboard.partial", { shown, total }) fills the braces; missing Arabic falls back to English.
export function t(key, params = {}) {
  const text = MESSAGES[current][key] ?? MESSAGES.en[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => String(params[name]));
}

// What to tell the user about an ApiError: our own words for known codes, else the server's.
export function describeError(error) {
  const key = `error.${error.code}`;
  if (Object.hasOwn(MESSAGES.en, key)) return t(key);
  return error.detail || t("error.generic");
}
