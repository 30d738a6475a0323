"""Prometheus metrics shared by every service (labelled by service)."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

MESSAGES_HANDLED = Counter(
    "polc_messages_handled_total", "Messages handled successfully", ["service", "message_type"]
)
MESSAGES_DUPLICATE = Counter(
    "polc_messages_duplicate_total", "Redelivered messages recognised as already handled", ["service", "message_type"]
)
MESSAGES_FAILED = Counter(
    "polc_messages_failed_total", "Handler attempts that raised", ["service", "message_type", "kind"]
)
DEAD_LETTERS = Counter(
    "polc_dead_letters_total", "Messages sent to the dead-letter topic", ["service", "topic"]
)
HANDLE_SECONDS = Histogram(
    "polc_message_handle_seconds", "Time to handle one message", ["service", "message_type"]
)
OUTBOX_PUBLISHED = Counter("polc_outbox_published_total", "Outbox rows published", ["service"])
OUTBOX_REPUBLISHED = Counter(
    "polc_outbox_republished_total", "Retained outbox rows published again to a broker that lost them", ["service"]
)
OUTBOX_BACKLOG = Gauge("polc_outbox_backlog", "Unpublished outbox rows", ["service"])
OUTBOX_OLDEST_AGE = Gauge(
    "polc_outbox_oldest_age_seconds", "Age of the oldest unpublished outbox row", ["service"]
)
CONSUMER_LAG = Gauge(
    "polc_consumer_lag", "Messages not yet committed by a consumer group", ["group", "topic", "partition"]
)

# ShopRenter traffic, per shop (set by the ShopRenter client).
SHOPRENTER_REQUESTS = Counter(
    "polc_shoprenter_requests_total", "HTTP requests sent to ShopRenter", ["shop_id", "method", "status"]
)
SHOPRENTER_RATE_LIMITED = Counter(
    "polc_shoprenter_rate_limited_total", "ShopRenter answers 429 Too Many Requests", ["shop_id"]
)
SHOPRENTER_LATENCY = Histogram(
    "polc_shoprenter_request_seconds", "Duration of one ShopRenter HTTP request", ["shop_id"],
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30),
)

# Business health (set by the services that own each figure).
SHOP_LAST_SYNC = Gauge(
    "polc_shop_last_successful_sync_timestamp_seconds", "Unix time of each shop's last successful order sync",
    ["shop_id"],
)
SHOP_PENDING_WRITES = Gauge("polc_shop_pending_writes", "Shop writes waiting to be sent", ["shop_id"])
INVOICES_ISSUED = Counter("polc_invoices_issued_total", "Invoices issued", ["series"])
INVOICE_EMAILS = Counter("polc_invoice_emails_total", "Invoice e-mails by result (sent, failed)", ["result"])
