import OddsOrigin
