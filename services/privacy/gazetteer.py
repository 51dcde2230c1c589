"""Place names the location recognizer knows without context: countries, US states and Canadian provinces, and
large cities (population over about a million, plus US cities over about 400,000). Written here from general
knowledge (no third-party list, no licence to carry). Kept short on purpose: a long list of small towns would
also list ordinary words and surnames ("Mobile", "Florence", "Jasper"); smaller places are found by spaCy's NER
and by the cue rules ("lives in X") instead."""

from __future__ import annotations

COUNTRIES = """
Afghanistan|Albania|Algeria|Andorra|Angola|Argentina|Armenia|Australia|Austria|Azerbaijan|Bahamas|Bahrain|Bangladesh
|Barbados|Belarus|Belgium|Belize|Benin|Bhutan|Bolivia|Bosnia and Herzegovina|Bosnia|Botswana|Brazil|Brunei|Bulgaria
|Burkina Faso|Burundi|Cambodia|Cameroon|Canada|Cape Verde|Chad|Chile|China|Colombia|Comoros|Congo|Costa Rica
|Côte d'Ivoire|Ivory Coast|Croatia|Cuba|Cyprus|Czech Republic|Czechia|Denmark|Djibouti|Dominica|Dominican Republic
|Ecuador|Egypt|El Salvador|Eritrea|Estonia|Eswatini|Ethiopia|Fiji|Finland|France|Gabon|Gambia|Georgia|Germany|Ghana
|Greece|Grenada|Guatemala|Guinea|Guyana|Haiti|Honduras|Hong Kong|Hungary|Iceland|India|Indonesia|Iran|Iraq|Ireland
|Israel|Italy|Jamaica|Japan|Jordan|Kazakhstan|Kenya|Kiribati|Kosovo|Kuwait|Kyrgyzstan|Laos|Latvia|Lebanon|Lesotho
|Liberia|Libya|Liechtenstein|Lithuania|Luxembourg|Madagascar|Malawi|Malaysia|Maldives|Mali|Malta|Mauritania
|Mauritius|Mexico|Moldova|Monaco|Mongolia|Montenegro|Morocco|Mozambique|Myanmar|Namibia|Nepal|Netherlands
|New Zealand|Nicaragua|Niger|Nigeria|North Korea|North Macedonia|Norway|Oman|Pakistan|Palestine|Panama
|Papua New Guinea|Paraguay|Peru|Philippines|Poland|Portugal|Puerto Rico|Qatar|Romania|Russia|Rwanda|Samoa
|San Marino|Saudi Arabia|Senegal|Serbia|Seychelles|Sierra Leone|Singapore|Slovakia|Slovenia|Somalia|South Africa
|South Korea|Korea|South Sudan|Spain|Sri Lanka|Sudan|Suriname|Sweden|Switzerland|Syria|Taiwan|Tajikistan|Tanzania
|Thailand|Togo|Tonga|Trinidad and Tobago|Tunisia|Turkey|Türkiye|Turkmenistan|Uganda|Ukraine|United Arab Emirates
|UAE|United Kingdom|UK|Great Britain|England|Scotland|Wales|Northern Ireland|United States|USA|Uruguay|Uzbekistan
|Vanuatu|Venezuela|Vietnam|Yemen|Zambia|Zimbabwe
"""
US_STATES = {
    "AL": "Alabama", "AK": "Alaska", "AZ": "Arizona", "AR": "Arkansas", "CA": "California", "CO": "Colorado",
    "CT": "Connecticut", "DE": "Delaware", "FL": "Florida", "GA": "Georgia", "HI": "Hawaii", "ID": "Idaho",
    "IL": "Illinois", "IN": "Indiana", "IA": "Iowa", "KS": "Kansas", "KY": "Kentucky", "LA": "Louisiana",
    "ME": "Maine", "MD": "Maryland", "MA": "Massachusetts", "MI": "Michigan", "MN": "Minnesota",
    "MS": "Mississippi", "MO": "Missouri", "MT": "Montana", "NE": "Nebraska", "NV": "Nevada",
    "NH": "New Hampshire", "NJ": "New Jersey", "NM": "New Mexico", "NY": "New York", "NC": "North Carolina",
    "ND": "North Dakota", "OH": "Ohio", "OK": "Oklahoma", "OR": "Oregon", "PA": "Pennsylvania",
    "RI": "Rhode Island", "SC": "South Carolina", "SD": "South Dakota", "TN": "Tennessee", "TX": "Texas",
    "UT": "Utah", "VT": "Vermont", "VA": "Virginia", "WA": "Washington", "WV": "West Virginia",
    "WI": "Wisconsin", "WY": "Wyoming", "DC": "District of Columbia",
}  # fmt: skip
CA_PROVINCES = """
Alberta|British Columbia|Manitoba|New Brunswick|Newfoundland|Nova Scotia|Ontario|Quebec|Québec|Saskatchewan
"""
CITIES = """
Tokyo|Delhi|New Delhi|Shanghai|São Paulo|Sao Paulo|Mexico City|Cairo|Mumbai|Beijing|Dhaka|Osaka|Karachi|Chongqing
|Istanbul|Buenos Aires|Kolkata|Lagos|Kinshasa|Manila|Rio de Janeiro|Guangzhou|Lahore|Shenzhen|Bangalore|Bengaluru
|Moscow|Tianjin|Jakarta|Lima|Chennai|Seoul|Bogotá|Bogota|Nagoya|Paris|London|Bangkok|Hyderabad|Chicago|Tehran
|Wuhan|Ho Chi Minh City|Hanoi|Luanda|Ahmedabad|Kuala Lumpur|Riyadh|Baghdad|Santiago|Pune|Madrid|Toronto|Surat
|Houston|Dallas|Philadelphia|Atlanta|Miami|Barcelona|Saint Petersburg|St. Petersburg|Johannesburg|Cape Town|Durban
|Nairobi|Addis Ababa|Casablanca|Accra|Abidjan|Dakar|Algiers|Tunis|Alexandria|Khartoum|Dar es Salaam|Kampala
|Berlin|Rome|Milan|Naples|Turin|Vienna|Budapest|Warsaw|Prague|Bucharest|Sofia|Belgrade|Zagreb|Athens|Lisbon
|Porto|Dublin|Amsterdam|Rotterdam|Brussels|Antwerp|Copenhagen|Stockholm|Oslo|Helsinki|Reykjavik|Zurich|Geneva
|Munich|Hamburg|Frankfurt|Cologne|Stuttgart|Lyon|Marseille|Manchester|Birmingham|Glasgow|Edinburgh|Liverpool
|Kyiv|Kiev|Kharkiv|Minsk|Riga|Vilnius|Tallinn|Ankara|Izmir|Tel Aviv|Jerusalem|Beirut|Amman|Damascus|Dubai
|Abu Dhabi|Doha|Kuwait City|Muscat|Jeddah|Mecca|Karaj|Kabul|Tashkent|Almaty|Baku|Tbilisi|Yerevan|Colombo
|Kathmandu|Yangon|Phnom Penh|Singapore|Hong Kong|Taipei|Busan|Sapporo|Yokohama|Kyoto|Fukuoka|Melbourne|Sydney
|Brisbane|Perth|Adelaide|Auckland|Wellington|Montreal|Montréal|Vancouver|Calgary|Edmonton|Ottawa|Winnipeg
|Quebec City|New York|New York City|Los Angeles|San Francisco|San Diego|San Jose|San Antonio|Phoenix|Austin
|Jacksonville|Fort Worth|Columbus|Charlotte|Indianapolis|Seattle|Denver|Washington|Boston|El Paso|Nashville
|Detroit|Oklahoma City|Portland|Las Vegas|Memphis|Louisville|Baltimore|Milwaukee|Albuquerque|Tucson|Fresno
|Sacramento|Kansas City|Mesa|Omaha|Raleigh|Long Beach|Virginia Beach|Oakland|Minneapolis|Tulsa|Tampa|Arlington
|New Orleans|Cleveland|Honolulu|Pittsburgh|St. Louis|Salt Lake City|Orlando|Havana|Guadalajara|Monterrey|Tijuana
|Puebla|Caracas|Medellín|Medellin|Cali|Quito|Guayaquil|La Paz|Santa Cruz|Asunción|Montevideo|Brasília|Brasilia
|Salvador|Fortaleza|Belo Horizonte|Manaus|Curitiba|Recife|Porto Alegre|Córdoba|Rosario|Guatemala City
|Santo Domingo|Port-au-Prince|San Juan|Panama City|San José|Managua|Tegucigalpa|San Salvador
"""


def names(block: str, sep: str = "|") -> list[str]:
    """The `sep`-separated names of a block, line breaks ignored ("\n" joins like a space when sep is " ")."""
    return [n.strip() for n in block.replace("\n", "" if sep != " " else " ").split(sep) if n.strip()]


# Every full name, longest first (so that "New York City" wins over "New York" in an alternation).
PLACES = sorted(
    {*names(COUNTRIES), *US_STATES.values(), *names(CA_PROVINCES), *names(CITIES)}, key=lambda n: (-len(n), n)
)
STATE_CODES = sorted(US_STATES)
