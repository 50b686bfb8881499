#!/usr/bin/env python3
"""The GRIP backend Pushpin asks when a client opens /sse/CHANNEL: it answers with a held
Server-Sent Events stream on that channel (and a first event, so the client knows it is
subscribed). Usage: pushpin-backend.py PORT"""
import http.server
import socketserver
import sys


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):
        channel = self.path.rsplit("/", 1)[-1] or "all"
        body = b"id: 0-0\nevent: hello\ndata: {}\n\n"
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Grip-Hold", "stream")
        self.send_header("Grip-Channel", channel)
        self.send_header("Grip-Keep-Alive", ":\\n\\n; format=cstring; timeout=20")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    request_queue_size = 4096


Server(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
