"""Flask extensions, created unbound and wired in `create_app`."""

from flask_smorest import Api
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect

from engine.models import Base

# Objects stay readable after commit: a response built from them needs no second SELECT.
db = SQLAlchemy(model_class=Base, session_options={"expire_on_commit": False})
csrf = CSRFProtect()
api = Api()
