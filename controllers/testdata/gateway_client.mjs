// The JavaScript client example of the REST API overview (class copied
// verbatim), with a main that lists configurations and creates a user,
// printing each response as one JSON line.
// Usage: node gateway_client.mjs BASE_URL ADMIN_KEY EMAIL
class GatewayAPI {
  constructor(baseUrl = 'http://localhost:8001', adminKey) {
    this.baseUrl = baseUrl;
    this.headers = {
      'Authorization': `Bearer ${adminKey}`,
      'Content-Type': 'application/json'
    };
  }

  async listConfigs() {
    const response = await fetch(`${this.baseUrl}/api/v1/configs`, {
      headers: this.headers
    });
    return response.json();
  }

  async createUser(email) {
    const response = await fetch(`${this.baseUrl}/api/v1/users`, {
      method: 'POST',
      headers: this.headers,
      body: JSON.stringify({ email })
    });
    return response.json();
  }
}

const [baseUrl, adminKey, email] = process.argv.slice(2);
const api = new GatewayAPI(baseUrl, adminKey);
const configs = await api.listConfigs();
console.log(JSON.stringify(configs));
const user = await api.createUser(email);
console.log(JSON.stringify(user));
