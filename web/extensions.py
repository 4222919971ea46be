"""Flask extensions, created unbound and wired in `create_app`."""

from flask_smorest import Api
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect

from engine.models import Base

db = SQLAlchemy(model_class=Base)
csrf = CSRFProtect()
api = Api()
