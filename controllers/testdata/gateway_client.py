# The Python client example of the REST API overview (class copied verbatim),
# with a main that lists configurations and creates a user, printing each
# response as one JSON line. Usage: gateway_client.py BASE_URL ADMIN_KEY EMAIL
import json
import sys

import requests

class GatewayAPI:
    def __init__(self, base_url="http://localhost:8001", admin_key=None):
        self.base_url = base_url
        self.headers = {
            "Authorization": f"Bearer {admin_key}",
            "Content-Type": "application/json"
        }
    
    def list_configs(self):
        response = requests.get(
            f"{self.base_url}/api/v1/configs",
            headers=self.headers
        )
        return response.json()
    
    def create_user(self, email):
        response = requests.post(
            f"{self.base_url}/api/v1/users",
            headers=self.headers,
            json={"email": email}
        )
        return response.json()


if __name__ == "__main__":
    base_url, admin_key, email = sys.argv[1:4]
    api = GatewayAPI(base_url=base_url, admin_key=admin_key)
    configs = api.list_configs()
    print(json.dumps(configs))
    user = api.create_user(email)
    print(json.dumps(user))
