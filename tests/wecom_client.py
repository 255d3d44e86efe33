"""A WeCom server's side of the AI-bot callback, built on wechatpy: encrypts and signs payloads the
way WeCom does, so tests send exactly what the platform would."""

from __future__ import annotations

import base64
import json
import os

import xmltodict
from wechatpy.crypto.base import WeChatCipher
from wechatpy.crypto.pkcs7 import PKCS7Encoder
from wechatpy.enterprise.crypto import WeChatCrypto

TOKEN = "cadrebotTestToken"
AES_KEY = base64.b64encode(b"0123456789abcdef0123456789abcdef").decode().rstrip("=")


class WeComServer:
    def __init__(self, token: str = TOKEN, aes_key: str = AES_KEY) -> None:
        self.crypto = WeChatCrypto(token, aes_key, "")
        self.key = base64.b64decode(aes_key + "=")
        self._n = 0

    def sign(self, payload: dict, *, ascii_only: bool = False) -> tuple[dict[str, str], bytes]:
        """Query parameters and the JSON body of one callback POST (`ascii_only`: every non-ASCII
        character as a \\u escape, which is how a lone surrogate can travel in JSON)."""
        self._n += 1
        nonce, timestamp = f"nonce{self._n}", str(1795000000 + self._n)
        xml = self.crypto.encrypt_message(json.dumps(payload, ensure_ascii=ascii_only), nonce, timestamp)
        fields = xmltodict.parse(xml)["xml"]
        query = {"msg_signature": fields["MsgSignature"], "timestamp": timestamp, "nonce": nonce}
        return query, json.dumps({"encrypt": fields["Encrypt"]}).encode()

    def url_check(self, echostr_plain: str) -> dict[str, str]:
        xml = self.crypto.encrypt_message(echostr_plain, "n0", "1795000000")
        fields = xmltodict.parse(xml)["xml"]
        return {
            "msg_signature": fields["MsgSignature"], "timestamp": "1795000000", "nonce": "n0", "echostr": fields["Encrypt"]
        }

    def encrypt_media(self, data: bytes) -> bytes:
        return WeChatCipher(self.key).encrypt(PKCS7Encoder.encode(data))


def text_message(
    msgid: str, content: str, *, user: str = "zhangjg", chat: str = "wx-yazhuang", response_url: str = ""
) -> dict:
    return {
        "msgid": msgid,
        "aibotid": "aib-test",
        "chatid": chat,
        "chattype": "group",
        "from": {"userid": user},
        "response_url": response_url or f"http://127.0.0.1:9/resp/{os.urandom(4).hex()}",
        "msgtype": "text",
        "text": {"content": content},
    }


def image_message(msgid: str, url: str, *, user: str = "zhangjg", chat: str = "wx-yazhuang") -> dict:
    return {
        "msgid": msgid,
        "aibotid": "aib-test",
        "chatid": chat,
        "chattype": "group",
        "from": {"userid": user},
        "response_url": "http://127.0.0.1:9/resp/x",
        "msgtype": "image",
        "image": {"url": url},
    }
