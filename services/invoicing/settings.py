"""Settings of the invoicing service (environment prefix `POLC_INVOICING_`).

SMTP settings are read without the prefix (``SMTP_HOST``, ``SMTP_PORT``...), like
``DATABASE_URL``, because one installation has one outgoing mail server.
"""

from __future__ import annotations

from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import SettingsConfigDict

from polc.runtime.settings import ServiceSettings


def _env(name: str) -> AliasChoices:
    return AliasChoices(name, f"POLC_INVOICING_{name}", name.lower())


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="POLC_INVOICING_", extra="ignore", validate_by_name=True)

    http_port: int = Field(default=8104, description="Port of the service's HTTP API, health and metrics.")

    # Seller (Áfa tv. 169 § c, e)
    seller_name: str = Field(default="Polc Demo Kft.", description="Seller's legal name printed on invoices.")
    seller_tax_number: str = Field(default="10597190-2-41", description="Seller's Hungarian tax number (xxxxxxxx-y-zz).")
    seller_eu_vat_number: str | None = Field(default=None, description='Seller\'s community VAT number, e.g. "HU10597190".')
    seller_postcode: str = Field(default="1052", description="Seller's postal code.")
    seller_city: str = Field(default="Budapest", description="Seller's city.")
    seller_address: str = Field(default="Váci utca 1.", description="Seller's street address.")
    seller_country_code: str = Field(default="HU", description="Seller's country (ISO 3166-1 alpha-2).")
    seller_email: str | None = Field(default=None, description="Seller's e-mail printed on invoices.")
    seller_bank_account: str | None = Field(default=None, description="Bank account printed for transfer payments.")
    seller_registration_number: str | None = Field(default=None, description="Company registry number (cégjegyzékszám).")
    cash_accounting: bool = Field(default=False, description='Seller uses cash accounting: prints "pénzforgalmi elszámolás".')

    # Numbering and terms
    default_series: str = Field(default="SZ", description="Invoice number series of shops without their own.")
    series: dict[str, str] = Field(default_factory=dict, description='Series per shop as JSON, e.g. {"kavepor": "KP"} (M4).')
    due_days: dict[str, int] = Field(
        default_factory=lambda: {"BANK_TRANSFER": 8, "TRANSFER": 8},
        description="Days from issue to due date per payment method code; other methods are due on issue.",
    )
    cash_payment_codes: list[str] = Field(
        default_factory=lambda: ["COD", "CASH", "CASH_ON_DELIVERY"],
        description="Payment method codes paid in cash: the amount due is rounded to 0 or 5 forints.",
    )
    timezone: str = Field(default="Europe/Budapest", description="Time zone that decides an invoice's issue date.")
    appearance: str = Field(default="ELECTRONIC", description="ELECTRONIC (PDF by e-mail) or PAPER.")

    # Workers
    worker_poll_interval_s: float = Field(default=0.5, description="How often idle workers look for work.")
    render_processes: int = Field(default=2, description="Processes rendering PDFs in parallel.")
    batch_chunk_size: int = Field(default=50, description="Orders invoiced per transaction within a batch.")

    # E-mail (unprefixed, shared with the local inbox started by `polc up`)
    smtp_host: str = Field(default="127.0.0.1", validation_alias=_env("SMTP_HOST"), description="SMTP server host.")
    smtp_port: int = Field(default=1025, validation_alias=_env("SMTP_PORT"), description="SMTP server port.")
    smtp_username: str | None = Field(default=None, validation_alias=_env("SMTP_USERNAME"), description="SMTP login user.")
    smtp_password: SecretStr | None = Field(default=None, validation_alias=_env("SMTP_PASSWORD"), description="SMTP login password.")
    smtp_tls: bool = Field(default=False, validation_alias=_env("SMTP_TLS"), description="Implicit TLS (port 465 style).")
    smtp_starttls: bool = Field(default=False, validation_alias=_env("SMTP_STARTTLS"), description="Upgrade with STARTTLS.")
    smtp_from: str = Field(default="szamla@polc.local", validation_alias=_env("SMTP_FROM"), description="From address of invoice mails.")
    smtp_timeout_s: float = Field(default=20.0, validation_alias=_env("SMTP_TIMEOUT_S"), description="SMTP command timeout.")
    email_max_attempts: int = Field(default=3, description="Automatic send attempts per invoice before it waits for a manual retry.")
    email_retry_delay_s: float = Field(default=30.0, description="Delay before the first automatic resend; doubles after each failure.")

    # NAV Online Számla reporting (services/invoicing/nav/); secrets are SecretStr and never logged
    nav_enabled: bool = Field(default=False, description="Report invoices to NAV; off, reports wait as pending.")
    nav_environment: str = Field(default="test", description='NAV environment: "test" or "production".')
    nav_url: str | None = Field(default=None, description="invoiceService/v3 base URL; overrides the environment's "
                                                          "(e.g. the NAV simulator's).")
    nav_login: str = Field(default="", description="Technical user's login.")
    nav_password: SecretStr = Field(default=SecretStr(""), description="Technical user's password.")
    nav_signature_key: SecretStr = Field(default=SecretStr(""), description="Technical user's signature key.")
    nav_exchange_key: SecretStr = Field(default=SecretStr(""), description="Technical user's exchange key.")
    nav_tax_number: str | None = Field(default=None, description="Taxpayer of the technical user (8 digits); "
                                                                 "default: the seller's.")
    nav_software_id: str = Field(default="HU10597190-POLC-01", description="softwareId registered for NAV (18 chars).")
    nav_software_version: str = Field(default="1.0", description="softwareMainVersion sent to NAV.")
    nav_software_dev_name: str = Field(default="polc", description="softwareDevName sent to NAV.")
    nav_software_dev_contact: str = Field(default="dev@polc.local", description="softwareDevContact sent to NAV.")
    nav_batch_size: int = Field(default=100, ge=1, le=100, description="Invoices per manageInvoice call (max 100).")
    nav_batch_wait_s: float = Field(default=2.0, description="How long pending reports wait for a fuller call.")
    nav_poll_interval_s: float = Field(default=2.0, description="Pause between queryTransactionStatus polls.")
    nav_retry_delay_s: float = Field(default=30.0, description="Delay before re-sending a call NAV did not take.")
    nav_recover_after_s: float = Field(default=300.0, description="Wait before looking for a call whose answer "
                                                                  "was lost (NAV recommends 5 minutes).")
    nav_request_timeout_s: float = Field(default=60.0, description="HTTP timeout of one NAV request.")
    nav_compress: bool = Field(default=False, description="gzip the invoice data in manageInvoice.")
