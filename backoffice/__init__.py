"""The polc back office: a web app (server-rendered pages) and daily-work commands on top of the
services' HTTP APIs. It never reads a service's database."""
